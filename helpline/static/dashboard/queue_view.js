/* The waiting callers: the queue table in served order, the counts at the top, the
 * screen-reader announcement of arrivals, and the count in the tab's title. */
import { $, el, isCounselor } from "./page.js";
import { formatDuration, parseTime, secondsSince } from "./clock.js";
import { count, fill, text } from "./text.js";
import { categoryLabel, languageLabel, priorityBadge, reasonTags } from "./call_labels.js";

var shown = null; // the snapshot on screen

// A fresh snapshot (live.js has already dropped older ones).
export function showQueue(snapshot) {
  var previous = shown;
  shown = snapshot;
  renderQueue(snapshot, previous);
  renderStats(snapshot);
  announceQueue(snapshot, previous);
  updateTitle(snapshot);
}

function renderQueue(snapshot, previous) {
  var body = $("queue-body");
  var focused = document.activeElement && document.activeElement.closest("#queue-body [data-call-sid]");
  var focusedSid = focused ? focused.dataset.callSid : null;
  var known = new Set(previous ? previous.calls.map(function (call) { return call.call_sid; }) : []);
  var rows = snapshot.calls.map(function (call, index) {
    return queueRow(call, index, Boolean(previous) && !known.has(call.call_sid));
  });
  body.replaceChildren.apply(body, rows);
  $("queue-table").hidden = rows.length === 0;
  $("queue-empty").hidden = rows.length > 0;
  if (focusedSid) restoreTakeFocus(focusedSid);
}

function queueRow(call, index, isNew) {
  var classes = ["queue-row", "priority-" + call.priority];
  if (call.emergency) classes.push("is-emergency");
  if (isNew) classes.push("is-new");
  var row = el("tr", { class: classes.join(" "), "data-call-sid": call.call_sid },
    el("td", { class: "position" }, count(index + 1)),
    el("td", { class: "priority" }, priorityBadge(call.priority, call.emergency)),
    el("th", { scope: "row", class: "category" }, categoryLabel(call.category)),
    el("td", { class: "reasons" }, reasonTags(call.priority_reasons, call.repeat_caller)),
    el("td", { class: "waiting" }, el("span", { class: "ticking", "data-since": call.enqueued_at }, formatDuration(secondsSince(call.enqueued_at)))),
    el("td", { class: "caller" }, call.caller || text.number_withheld),
    el("td", { class: "language" }, languageLabel(call.language))
  );
  if (isCounselor) {
    var label = fill(call.emergency ? text.take_danger_caller : text.take_caller, { position: count(index + 1), category: categoryLabel(call.category) });
    row.append(el("td", { class: "action" },
      el("button", { type: "button", class: "button take", "data-call-sid": call.call_sid, "aria-label": label }, text.take)));
  }
  return row;
}

function restoreTakeFocus(callSid) {
  var button = document.querySelector('#queue-body button[data-call-sid="' + CSS.escape(callSid) + '"]');
  if (button) button.focus();
  else $("queue-title").focus();
}

function renderStats(snapshot) {
  var stats = snapshot.stats || {};
  $("stat-waiting").textContent = count(stats.waiting);
  var longest = $("stat-longest");
  var first = snapshot.calls.reduce(function (earliest, call) {
    return !earliest || parseTime(call.enqueued_at) < parseTime(earliest) ? call.enqueued_at : earliest;
  }, null);
  if (first) longest.dataset.since = first;
  else delete longest.dataset.since;
  longest.textContent = formatDuration(first ? secondsSince(first) : 0);
  $("stat-danger").textContent = count(stats.emergency_waiting);
  $("stat-danger-box").dataset.active = String(stats.emergency_waiting > 0);
  $("stat-available").textContent = count(stats.available_counselors);
}

function announceQueue(snapshot, previous) {
  var known = new Set(previous ? previous.calls.map(function (call) { return call.call_sid; }) : []);
  var arrived = previous ? snapshot.calls.filter(function (call) { return !known.has(call.call_sid); }) : [];
  if (previous && !arrived.length && previous.calls.length === snapshot.calls.length) return;
  var parts = arrived.map(function (call) {
    return fill(call.emergency ? text.new_danger_caller : text.new_caller, { category: categoryLabel(call.category) });
  });
  var waiting = snapshot.calls.length;
  parts.push(fill(waiting === 1 ? text.callers_waiting_one : text.callers_waiting_other, { count: count(waiting) }));
  $("queue-announcer").textContent = parts.join(" ");
}

function updateTitle(snapshot) {
  var danger = snapshot.stats ? snapshot.stats.emergency_waiting : 0;
  var values = { count: count(snapshot.calls.length), danger: count(danger), title: text.page_title };
  document.title = fill(danger ? text.title_count_danger : text.title_count, values);
}
