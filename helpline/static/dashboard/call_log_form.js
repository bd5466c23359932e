/* The call log form: filling it for a call, saving drafts as the counselor types (one PATCH
 * at a time, in order), submitting it, and the server's errors shown by their fields. Which
 * call it is for is current_call.js's business. */
import { clockTime, fill, formatNumber, listSeparator } from "../common/language.js";
import { $, words } from "../common/page.js";
import { api, csrfToken, errorText } from "./http.js";
import { categoryLabel } from "./call_labels.js";

const AUTOSAVE_DELAY_MS = 800;
const RETRY_DELAY_MS = 5000;
const LOG_FIELDS = ["call_type", "categories", "risk_level", "outcome", "referral", "notes", "follow_up_on"];
const REQUIRED_FIELDS = ["call_type", "categories", "risk_level", "outcome"];

export const logState = {
  callSid: null, // the call shown in the log form
  callCategory: null, // its menu category
  extraCategories: [], // categories stored on the call that the form has no box for
  leaving: false, // the page is being left: no interrupted request may close the call
};

const saver = { dirty: new Set(), timer: null, chain: Promise.resolve() };

// Another call in the form: what is pending goes out first.
export function openLog(call) {
  if (logState.callSid) flushSave();
  logState.callSid = call.call_sid;
  saver.dirty.clear();
  clearFieldErrors();
  fillLogForm(call);
  setSaveState(call.log_complete ? words.log_complete_can_correct : "");
}

export function closeLog() {
  clearTimeout(saver.timer);
  saver.dirty.clear();
  logState.callSid = null;
}

function form() {
  return $("log-form");
}

function fillLogForm(call) {
  const logForm = form();
  $("log-call_type").value = call.call_type || "";
  $("log-outcome").value = call.outcome || "";
  $("log-referral").value = call.referral || "";
  $("log-notes").value = call.notes || "";
  const chosen = new Set(call.categories || []);
  const boxes = logForm.querySelectorAll('input[name="categories"]');
  const shown = new Set();
  boxes.forEach(function (box) {
    box.checked = chosen.has(box.value);
    shown.add(box.value);
  });
  logState.extraCategories = (call.categories || []).filter(function (key) { return !shown.has(key); });
  logForm.querySelectorAll('input[name="risk_level"]').forEach(function (radio) {
    radio.checked = radio.value === call.risk_level;
  });
  $("log-follow_up").checked = Boolean(call.follow_up_on);
  $("log-follow_up_on").value = call.follow_up_on || "";
  syncFollowUp();
  logForm.querySelectorAll("details.category-group").forEach(function (group) {
    group.open = group.dataset.group === call.category || Boolean(group.querySelector("input:checked"));
  });
  renderChosenCategories();
}

function readField(name) {
  const logForm = form();
  switch (name) {
    case "categories":
      return Array.prototype.map.call(logForm.querySelectorAll('input[name="categories"]:checked'), function (box) {
        return box.value;
      }).concat(logState.extraCategories);
    case "risk_level": {
      const radio = logForm.querySelector('input[name="risk_level"]:checked');
      return radio ? radio.value : null;
    }
    case "follow_up_on":
      if (!$("log-follow_up").checked) return null;
      return $("log-follow_up_on").value || undefined; // nothing to save until there is a date
    case "call_type":
    case "outcome":
      return $("log-" + name).value || null;
    default:
      return $("log-" + name).value;
  }
}

function fieldOf(target) {
  if (!target || !target.name) return null;
  if (target.name === "follow_up") return "follow_up_on";
  return LOG_FIELDS.indexOf(target.name) >= 0 ? target.name : null;
}

function onLogEdit(event) {
  const field = fieldOf(event.target);
  if (!field || !logState.callSid) return;
  if (event.target.id === "log-follow_up") syncFollowUp();
  if (field === "categories") renderChosenCategories();
  saver.dirty.add(field);
  setSaveState(words.unsaved);
  scheduleSave(AUTOSAVE_DELAY_MS);
}

function syncFollowUp() {
  const needed = $("log-follow_up").checked;
  const day = $("log-follow_up_on");
  day.disabled = !needed;
  day.min = new Date().toISOString().slice(0, 10);
}

function renderChosenCategories() {
  const logForm = form();
  const chosen = Array.prototype.map.call(logForm.querySelectorAll('input[name="categories"]:checked'), function (box) {
    return categoryLabel(box.value);
  });
  $("categories-chosen").textContent = chosen.length ? fill(words.chosen, { list: chosen.join(listSeparator) }) : words.none_chosen;
  logForm.querySelectorAll("details.category-group").forEach(function (group) {
    const checked = group.querySelectorAll("input:checked").length;
    group.querySelector(".group-count").textContent = checked ? fill(words.group_count, { count: formatNumber(checked) }) : "";
  });
}

function collect(fields) {
  const body = {};
  fields.forEach(function (field) {
    const value = readField(field);
    if (value !== undefined) body[field] = value;
  });
  return body;
}

function setSaveState(text) {
  $("save-state").textContent = text;
}

function showFieldError(field, text) {
  const box = $("error-" + field);
  if (!box) {
    setSaveState(text);
    return;
  }
  box.textContent = text;
  box.hidden = false;
  const holder = form().querySelector('[data-field="' + field + '"]');
  if (holder) holder.classList.add("has-error");
}

function clearFieldErrors(fields) {
  (fields || LOG_FIELDS).forEach(function (field) {
    const box = $("error-" + field);
    if (box) {
      box.hidden = true;
      box.textContent = "";
    }
    const holder = form() && form().querySelector('[data-field="' + field + '"]');
    if (holder) holder.classList.remove("has-error");
  });
}

function focusField(field) {
  let holder = form().querySelector('[data-field="' + field + '"]');
  if (!holder) return;
  if (field === "categories") {
    const category = logState.callCategory && holder.querySelector('details[data-group="' + CSS.escape(logState.callCategory) + '"]');
    const group = category || holder.querySelector("details");
    group.open = true;
    holder = group;
  }
  const target = holder.querySelector("input:not([disabled]), select, textarea");
  if (target) target.focus();
}

// Saving: one PATCH at a time, in order; each sends the fields changed since the last.
function scheduleSave(delay) {
  clearTimeout(saver.timer);
  saver.timer = setTimeout(flushSave, delay);
}

function flushSave() {
  clearTimeout(saver.timer);
  saver.timer = null;
  saver.chain = saver.chain.then(saveDirty, saveDirty);
  return saver.chain;
}

function saveDirty() {
  const callSid = logState.callSid;
  if (!callSid || !saver.dirty.size) return null;
  const fields = Array.from(saver.dirty);
  saver.dirty.clear();
  const body = collect(fields);
  if (!Object.keys(body).length) {
    setSaveState(fields.indexOf("follow_up_on") >= 0 ? words.choose_follow_up_date : "");
    return null;
  }
  setSaveState(words.saving);
  return patchLog(callSid, body).then(function (result) {
    if (callSid !== logState.callSid) return result;
    if (result.ok) {
      setSaveState(fill(result.data.log_complete ? words.draft_saved_complete : words.draft_saved, { time: clockTime(new Date()) }));
    } else if (result.status === 0) {
      Object.keys(body).forEach(function (field) { saver.dirty.add(field); });
      setSaveState(words.not_saved_retrying);
      scheduleSave(RETRY_DELAY_MS);
    } else if (result.status !== 400) {
      setSaveState(fill(words.not_saved, { reason: errorText(result, words.refused_change) }));
    } else if (result.data.field && result.data.field in body) {
      // The whole change was refused because of one field: save the others again.
      Object.keys(body).forEach(function (field) { if (field !== result.data.field) saver.dirty.add(field); });
      setSaveState(words.not_saved_see_field);
      if (saver.dirty.size) scheduleSave(0);
    }
    return result;
  });
}

function patchLog(callSid, body) {
  return api("PATCH", "/api/calls/" + encodeURIComponent(callSid), body).then(function (result) {
    if (result.ok) {
      clearFieldErrors(Object.keys(body));
    } else if (result.status === 400 && result.data.field) {
      showFieldError(result.data.field, result.data.error);
    }
    return result;
  });
}

// onComplete(callSid): the server counts the submitted log complete.
function submitLog(event, onComplete) {
  event.preventDefault();
  const callSid = logState.callSid;
  if (!callSid) return;
  clearTimeout(saver.timer);
  saver.dirty.clear();
  const button = $("submit-log");
  button.disabled = true;
  setSaveState(words.submitting);
  saver.chain = saver.chain.then(function () {
    return patchLog(callSid, collect(LOG_FIELDS));
  }).then(function (result) {
    button.disabled = false;
    if (callSid !== logState.callSid) return;
    if (result.ok && result.data.log_complete) {
      onComplete(callSid);
    } else if (result.ok) {
      const missing = REQUIRED_FIELDS.filter(function (field) {
        const value = result.data[field];
        return !value || (Array.isArray(value) && !value.length);
      });
      missing.forEach(function (field) { showFieldError(field, words.required_to_complete); });
      const needed = missing.map(function (field) { return words.field[field]; }).join(listSeparator);
      setSaveState(fill(words.still_needed, { fields: needed }));
      if (missing.length) focusField(missing[0]);
    } else if (result.status === 400 && result.data.field) {
      setSaveState(words.not_submitted_see_field);
      focusField(result.data.field);
    } else {
      setSaveState(fill(words.not_submitted, { reason: errorText(result, words.refused_log) }));
    }
  });
}

export function bindLogForm(onComplete) {
  const logForm = form();
  logForm.addEventListener("input", onLogEdit);
  logForm.addEventListener("change", onLogEdit);
  logForm.addEventListener("submit", function (event) { submitLog(event, onComplete); });
  // Leaving the page: send what is pending (a reload keeps the draft), and let no
  // interrupted request close the open call meanwhile.
  window.addEventListener("pagehide", function () {
    logState.leaving = true;
    if (saver.dirty.size && logState.callSid) {
      fetch("/api/calls/" + encodeURIComponent(logState.callSid), {
        method: "PATCH", keepalive: true, credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, "X-Requested-With": "XMLHttpRequest" },
        body: JSON.stringify(collect(Array.from(saver.dirty))),
      });
    }
  });
  window.addEventListener("pageshow", function () { logState.leaving = false; });
}
