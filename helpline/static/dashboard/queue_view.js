/* The waiting callers: the queue table in served order, the counts at the top, the
 * screen-reader announcement of arrivals, and the count in the tab's title. */
import { formatDuration, parseTime, secondsSince } from "../common/clock.js";
import { fill, formatNumber } from "../common/language.js";
import { $, el, words } from "../common/page.js";
import { isCounselor } from "./user.js";
import { categoryLabel, languageLabel, priorityBadge, reasonTags } from "./call_labels.js";

let shown = null; // the snapshot on screen

// A fresh snapshot (live.js has already dropped older ones).
export function showQueue(snapshot) {
  const previous = shown;
  shown = snapshot;
  renderQueue(snapshot, previous);
  renderStats(snapshot);
  announceQueue(snapshot, previous);
  updateTitle(snapshot);
}

function renderQueue(snapshot, previous) {
  const body = $("queue-body");
  const focused = document.activeElement && document.activeElement.closest("#queue-body [data-call-sid]");
  const focusedSid = focused ? focused.dataset.callSid : null;
  const known = new Set(previous ? previous.calls.map(function (call) { return call.call_sid; }) : []);
  const rows = snapshot.calls.map(function (call, index) {
    return queueRow(call, index, Boolean(previous) && !known.has(call.call_sid));
  });
  body.replaceChildren.apply(body, rows);
  $("queue-table").hidden = rows.length === 0;
  $("queue-empty").hidden = rows.length > 0;
  if (focusedSid) restoreTakeFocus(focusedSid);
}

function queueRow(call, index, isNew) {
  const classes = ["queue-row", "priority-" + call.priority];
  if (call.emergency) classes.push("is-emergency");
  if (isNew) classes.push("is-new");
  const row = el("tr", { class: classes.join(" "), "data-call-sid": call.call_sid },
    el("td", { class: "position" }, formatNumber(index + 1)),
    el("td", { class: "priority" }, priorityBadge(call.priority, call.emergency)),
    el("th", { scope: "row", class: "category" }, categoryLabel(call.category)),
    el("td", { class: "reasons" }, reasonTags(call.priority_reasons, call.repeat_caller)),
    el("td", { class: "waiting" }, el("span", { class: "ticking", "data-since": call.enqueued_at }, formatDuration(secondsSince(call.enqueued_at)))),
    el("td", { class: "caller" }, call.caller || words.number_withheld),
    el("td", { class: "language" }, languageLabel(call.language))
  );
  if (isCounselor) {
    const label = fill(call.emergency ? words.take_danger_caller : words.take_caller, { position: formatNumber(index + 1), category: categoryLabel(call.category) });
    row.append(el("td", { class: "action" },
      el("button", { type: "button", class: "button take", "data-call-sid": call.call_sid, "aria-label": label }, words.take)));
  }
  return row;
}

function restoreTakeFocus(callSid) {
  const button = document.querySelector('#queue-body button[data-call-sid="' + CSS.escape(callSid) + '"]');
  if (button) button.focus();
  else $("queue-title").focus();
}

function renderStats(snapshot) {
  const stats = snapshot.stats || {};
  $("stat-waiting").textContent = formatNumber(stats.waiting);
  const longest = $("stat-longest");
  const first = snapshot.calls.reduce(function (earliest, call) {
    return !earliest || parseTime(call.enqueued_at) < parseTime(earliest) ? call.enqueued_at : earliest;
  }, null);
  if (first) longest.dataset.since = first;
  else delete longest.dataset.since;
  longest.textContent = formatDuration(first ? secondsSince(first) : 0);
  $("stat-danger").textContent = formatNumber(stats.emergency_waiting);
  $("stat-danger-box").dataset.active = String(stats.emergency_waiting > 0);
  $("stat-available").textContent = formatNumber(stats.available_counselors);
}

function announceQueue(snapshot, previous) {
  const known = new Set(previous ? previous.calls.map(function (call) { return call.call_sid; }) : []);
  const arrived = previous ? snapshot.calls.filter(function (call) { return !known.has(call.call_sid); }) : [];
  if (previous && !arrived.length && previous.calls.length === snapshot.calls.length) return;
  const parts = arrived.map(function (call) {
    return fill(call.emergency ? words.new_danger_caller : words.new_caller, { category: categoryLabel(call.category) });
  });
  const waiting = snapshot.calls.length;
  parts.push(fill(waiting === 1 ? words.callers_waiting_one : words.callers_waiting_other, { count: formatNumber(waiting) }));
  $("queue-announcer").textContent = parts.join(" ");
}

function updateTitle(snapshot) {
  const danger = snapshot.stats ? snapshot.stats.emergency_waiting : 0;
  const values = { count: formatNumber(snapshot.calls.length), danger: formatNumber(danger), title: words.page_title };
  document.title = fill(danger ? words.title_count_danger : words.title_count, values);
}
