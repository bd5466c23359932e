/* Counselors' presence: the list of counselors, the counselor's own status, and taking
 * callers (a row's Take button, "Take next caller" and its N shortcut). */
import { formatDuration, secondsSince } from "../common/clock.js";
import { fillParts, formatNumber } from "../common/language.js";
import { $, config, el, words } from "../common/page.js";
import { api, errorText } from "./http.js";
import { isCounselor } from "./user.js";
import { showCurrentCall } from "./current_call.js";

let serverPresence = null; // the own status the server last pushed: a refused change goes back to it

export function onPresence(body) {
  const counselors = (body && body.counselors) || [];
  const list = $("presence-list");
  list.replaceChildren.apply(list, counselors.map(presenceItem));
  $("presence-empty").hidden = counselors.length > 0;
  // Presence changes push no queue snapshot: keep the count in step with this list.
  $("stat-available").textContent = formatNumber(counselors.filter(function (c) { return c.state === "available"; }).length);
}

function presenceItem(counselor) {
  const isMe = counselor.username === config.user.username;
  const name = el("bdi", {}, counselor.username);
  const since = el("span", { "data-since": counselor.since }, formatDuration(secondsSince(counselor.since)));
  const hidden = function (words) { return el("span", { class: "visually-hidden" }, words); };
  const nameParts = isMe ? fillParts(words.you, { name: name }) : [name];
  return el("li", { class: "presence-item state-" + counselor.state + (isMe ? " is-me" : ""), "data-username": counselor.username },
    el.apply(null, ["span", { class: "presence-name" }].concat(nameParts)),
    el("span", { class: "state-badge state-" + counselor.state }, words.presence[counselor.state] || counselor.state),
    el.apply(null, ["span", { class: "presence-since" }].concat(fillParts(words.for_duration, { duration: since }, hidden)))
  );
}

// The own status from the server's `me`.
export function onMyPresence(presenceState) {
  serverPresence = presenceState;
  renderMyPresence(presenceState);
}

export function renderMyPresence(presenceState) {
  const select = $("presence-select");
  const onCall = select.querySelector('option[value="on_call"]');
  onCall.hidden = presenceState !== "on_call";
  select.value = presenceState;
  $("take-next").dataset.ready = String(presenceState === "available");
}

function changePresence() {
  const select = $("presence-select");
  const wanted = select.value;
  const message = $("presence-message");
  api("PUT", "/api/presence", { state: wanted }).then(function (result) {
    if (result.ok) {
      message.hidden = true;
      renderMyPresence(result.data.state);
    } else {
      message.textContent = errorText(result, words.status_not_changed);
      message.hidden = false;
      if (serverPresence) renderMyPresence(serverPresence);
    }
  });
}

// ---------------------------------------------------------------------------------------
// Taking callers

function showMessage(text, kind) {
  const box = $("action-message");
  box.textContent = text;
  box.dataset.kind = kind || "info";
  box.hidden = !text;
}

function takeCaller(callSid, button) {
  const url = callSid ? "/api/calls/" + encodeURIComponent(callSid) + "/take" : "/api/queue/take";
  if (button) button.disabled = true;
  showMessage(words.taking, "info");
  return api("POST", url).then(function (result) {
    if (button && button.isConnected) button.disabled = false;
    if (!result.ok) {
      showMessage(errorText(result, words.not_taken), "error");
      return;
    }
    showMessage(words.taken, "ok");
    showCurrentCall(result.data);
    const first = $("log-call_type");
    if (first) first.focus();
  });
}

function onQueueClick(event) {
  const button = event.target.closest("button.take");
  if (button) takeCaller(button.dataset.callSid, button);
}

function isTyping(target) {
  return Boolean(target && target.closest && target.closest("input, textarea, select, [contenteditable], #log-form"));
}

function onKeydown(event) {
  if (!isCounselor || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
  // The physical key, so the shortcut works in a Persian or Tajik keyboard layout too.
  if (event.code !== "KeyN" && event.key !== "n" && event.key !== "N") return;
  if (isTyping(event.target)) return;
  event.preventDefault();
  takeCaller(null, $("take-next"));
}

export function bindPresenceControls() {
  $("queue-body").addEventListener("click", onQueueClick);
  $("presence-select").addEventListener("change", changePresence);
  $("take-next").addEventListener("click", function (event) { takeCaller(null, event.currentTarget); });
  document.addEventListener("keydown", onKeydown);
}
