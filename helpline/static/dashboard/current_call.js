/* The counselor's current call: the panel and the call's facts, which call it shows (the
 * server's current call, or the open one kept on screen until its log is submitted), and
 * remembering the open call across reloads. The log form itself is call_log_form.js. */
import { formatDuration, secondsSince } from "../common/clock.js";
import { fill, fillParts } from "../common/language.js";
import { $, config, el, words } from "../common/page.js";
import { api } from "./http.js";
import { categoryLabel, languageLabel, priorityBadge, reasonTags } from "./call_labels.js";
import { bindLogForm, closeLog, logState, openLog } from "./call_log_form.js";

const OPEN_CALL_KEY = "helpline.openCall";

let serverCall = null; // the current call the server last pushed in `me`

// The call half of the server's `me`.
export function followCurrentCall(call) {
  // The server still names a call whose log is complete while its caller is on the line;
  // once submitted, the form has nothing left to do with it.
  if (call && call.log_complete && call.call_sid !== logState.callSid && !isOpenCall(call.call_sid)) call = null;
  serverCall = call;
  if (call) {
    showCurrentCall(call);
  } else if (logState.callSid) {
    keepOrCloseCall(logState.callSid);
  }
}

// No unlogged call on the server: the open one was logged complete (keep it on screen
// until submitted), or it is no longer this counselor's (the caller went back to the queue).
function keepOrCloseCall(callSid) {
  if (!isOpenCall(callSid)) {
    closeCall();
    return;
  }
  api("GET", "/api/calls/" + encodeURIComponent(callSid)).then(function (result) {
    if (callSid === logState.callSid && !stillMine(result)) {
      closeCall(words.call_gone);
    }
  });
}

// Only a clear answer closes the form: not an interrupted request (say, a reload).
function stillMine(result) {
  if (logState.leaving || result.status === 0) return true;
  // Gone, or another counselor's now (the caller went back to the queue and was taken again).
  if (result.status === 404 || result.status === 403) return false;
  if (result.ok && "counselor" in result.data) return result.data.counselor === config.user.username;
  return true;
}

// A log the server counts complete stays on screen until the counselor submits it, so the
// form never vanishes while they are still writing notes.
function isOpenCall(callSid) {
  try {
    return window.sessionStorage.getItem(OPEN_CALL_KEY) === callSid;
  } catch {
    return false;
  }
}

function rememberOpenCall(callSid) {
  try {
    if (callSid) window.sessionStorage.setItem(OPEN_CALL_KEY, callSid);
    else window.sessionStorage.removeItem(OPEN_CALL_KEY);
  } catch {
    /* storage is off: the form then follows the server's current call only */
  }
}

export function showCurrentCall(call) {
  if (call.call_sid !== logState.callSid) {
    openLog(call);
    rememberOpenCall(call.call_sid);
  }
  $("call-none").hidden = true;
  $("call-done").hidden = true;
  $("call-active").hidden = false;
  logState.callCategory = call.category;
  renderCallFacts(call);
}

function closeCall(doneText) {
  if (logState.leaving) return;
  closeLog();
  rememberOpenCall(null);
  $("call-active").hidden = true;
  $("call-none").hidden = false;
  $("call-done").textContent = doneText || "";
  $("call-done").hidden = !doneText;
}

function renderCallFacts(call) {
  $("call-priority").replaceChildren(priorityBadge(call.priority, call.emergency));
  $("call-category").textContent = categoryLabel(call.category);
  $("call-reasons").replaceChildren(reasonTags(call.priority_reasons, call.repeat_caller));
  $("call-caller").textContent = call.caller || words.number_withheld;
  $("call-language").textContent = languageLabel(call.language);
  $("call-repeat").textContent = call.repeat_caller ? words.yes : words.no;
  const taken = $("call-taken");
  if (call.taken_at) {
    const since = el("span", { "data-since": call.taken_at }, formatDuration(secondsSince(call.taken_at)));
    taken.replaceChildren.apply(taken, fillParts(words.ago, { duration: since }));
  } else {
    taken.textContent = "–";
  }
  let status = words.call_connecting;
  if (call.ended_at) status = call.talk_seconds ? fill(words.call_ended_after, { duration: formatDuration(call.talk_seconds) }) : words.call_ended;
  else if (call.answered_at) status = words.call_in_progress;
  $("call-status").textContent = status;
  $("call-panel").classList.toggle("is-emergency", Boolean(call.emergency));
}

// Restores the panel after a reload when the open log is already complete on the server.
export function restoreOpenCall(me) {
  if (me.current_call) return;
  let callSid;
  try {
    callSid = window.sessionStorage.getItem(OPEN_CALL_KEY);
  } catch {
    return;
  }
  if (!callSid) return;
  api("GET", "/api/calls/" + encodeURIComponent(callSid)).then(function (result) {
    if (!stillMine(result)) rememberOpenCall(null);
    else if (result.ok && "counselor" in result.data && !logState.callSid) showCurrentCall(result.data);
  });
}

function onLogComplete(callSid) {
  closeCall(words.call_logged);
  if (serverCall && serverCall.call_sid !== callSid) showCurrentCall(serverCall);
  $("call-title").focus();
}

export function bindCallPanel() {
  bindLogForm(onLogComplete);
}
