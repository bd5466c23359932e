/* Counselors' presence: the list of counselors, the counselor's own status, and taking
 * callers (a row's Take button, "Take next caller" and its N shortcut). */
import { $, config, el, isCounselor } from "./page.js";
import { api, errorText } from "./http.js";
import { formatDuration, secondsSince } from "./clock.js";
import { showCurrentCall } from "./current_call.js";

var PRESENCE_TEXT = {
  available: "Available", on_call: "On a call", wrap_up: "Wrap-up", break: "On a break", offline: "Offline",
};

var serverPresence = null; // the own status the server last pushed: a refused change goes back to it

export function onPresence(body) {
  var counselors = (body && body.counselors) || [];
  var list = $("presence-list");
  list.replaceChildren.apply(list, counselors.map(presenceItem));
  $("presence-empty").hidden = counselors.length > 0;
  // Presence changes push no queue snapshot: keep the count in step with this list.
  $("stat-available").textContent = counselors.filter(function (c) { return c.state === "available"; }).length;
}

function presenceItem(counselor) {
  var isMe = counselor.username === config.user.username;
  return el("li", { class: "presence-item state-" + counselor.state + (isMe ? " is-me" : ""), "data-username": counselor.username },
    el("span", { class: "presence-name" }, counselor.username + (isMe ? " (you)" : "")),
    el("span", { class: "state-badge state-" + counselor.state }, PRESENCE_TEXT[counselor.state] || counselor.state),
    el("span", { class: "presence-since" },
      el("span", { class: "visually-hidden" }, "for "),
      el("span", { "data-since": counselor.since }, formatDuration(secondsSince(counselor.since))))
  );
}

// The own status from the server's `me`.
export function onMyPresence(presenceState) {
  serverPresence = presenceState;
  renderMyPresence(presenceState);
}

export function renderMyPresence(presenceState) {
  var select = $("presence-select");
  var onCall = select.querySelector('option[value="on_call"]');
  onCall.hidden = presenceState !== "on_call";
  select.value = presenceState;
  $("take-next").dataset.ready = String(presenceState === "available");
}

function changePresence() {
  var select = $("presence-select");
  var wanted = select.value;
  var message = $("presence-message");
  api("PUT", "/api/presence", { state: wanted }).then(function (result) {
    if (result.ok) {
      message.hidden = true;
      renderMyPresence(result.data.state);
    } else {
      message.textContent = errorText(result, "Your status was not changed");
      message.hidden = false;
      if (serverPresence) renderMyPresence(serverPresence);
    }
  });
}

// ---------------------------------------------------------------------------------------
// Taking callers

function showMessage(text, kind) {
  var box = $("action-message");
  box.textContent = text;
  box.dataset.kind = kind || "info";
  box.hidden = !text;
}

function takeCaller(callSid, button) {
  var url = callSid ? "/api/calls/" + encodeURIComponent(callSid) + "/take" : "/api/queue/take";
  if (button) button.disabled = true;
  showMessage("Taking the caller…", "info");
  return api("POST", url).then(function (result) {
    if (button && button.isConnected) button.disabled = false;
    if (!result.ok) {
      showMessage(errorText(result, "The caller was not taken"), "error");
      return;
    }
    showMessage("You took the caller: they are being connected to you.", "ok");
    showCurrentCall(result.data);
    var first = $("log-call_type");
    if (first) first.focus();
  });
}

function onQueueClick(event) {
  var button = event.target.closest("button.take");
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
