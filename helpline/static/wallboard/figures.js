/* The figures of a `wallboard` body: the queue now (with the danger-now banner), counselors by
 * state, and today's offered, answered and abandoned calls with the service level. */
import { formatDuration, parseTime, serverNow } from "../common/clock.js";
import { fill, formatNumber, formatPercent, formatTargetPercent } from "../common/language.js";
import { $, words } from "../common/page.js";

let longestWait = null; // { seconds, at }: the longest wait as of the server's time `at`
let dangerShown = 0;
const plainTitle = document.title;

export function showWallboard(body) {
  showQueue(body.queue, body.server_time);
  showCounselorCounts(body.counselors || {});
  showToday(body.today);
}

function showQueue(queue, serverTime) {
  $("queue-waiting").textContent = formatNumber(queue.waiting);
  longestWait = queue.waiting ? { seconds: queue.longest_wait_seconds, at: parseTime(serverTime) } : null;
  tickLongestWait();
  showDanger(queue.emergency_waiting);
}

// Between pushes the longest wait goes on growing: it is ticked here, once a second.
export function tickLongestWait() {
  const node = $("queue-longest");
  if (!longestWait) {
    node.textContent = formatDuration(0);
    return;
  }
  const elapsed = isNaN(longestWait.at) ? 0 : Math.max(0, Math.floor((serverNow() - longestWait.at) / 1000));
  node.textContent = formatDuration(longestWait.seconds + elapsed);
}

// Words, a sign and a pattern as well as colour, so no one misses it or needs colour to see it.
function showDanger(count) {
  const active = count > 0;
  $("danger").dataset.active = String(active);
  $("queue-danger-box").dataset.active = String(active);
  $("queue-danger").textContent = formatNumber(count);
  $("danger-text").textContent = !active
    ? words.no_danger
    : count === 1 ? words.danger_one : fill(words.danger_many, { count: formatNumber(count) });
  if (count > dangerShown) {
    $("danger-announcer").textContent = fill(words.danger_announce, { count: formatNumber(count) });
  }
  dangerShown = count;
  document.title = (active ? "⚠ " + formatNumber(count) + " · " : "") + plainTitle;
}

function showCounselorCounts(counts) {
  document.querySelectorAll("[data-count-for]").forEach(function (node) {
    node.textContent = formatNumber(counts[node.dataset.countFor] || 0);
  });
}

function showToday(today) {
  $("today-offered").textContent = formatNumber(today.offered);
  $("today-answered").textContent = formatNumber(today.answered);
  $("today-abandoned").textContent = formatNumber(today.abandoned);
  $("today-short-abandons").textContent = today.short_abandons
    ? fill(words.short_abandons, { count: formatNumber(today.short_abandons) })
    : "";
  showServiceLevel(today);
}

function showServiceLevel(today) {
  const box = $("service-level-box");
  const level = today.service_level;
  $("service-level-rule").textContent = fill(words.service_level_rule, { seconds: formatNumber(today.service_level_seconds) });
  if (typeof level !== "number") {
    box.dataset.status = "none";
    $("service-level").textContent = fill(words.service_level_figure, { value: "–", target: formatTargetPercent(today.target) });
    $("service-level-status").textContent = words.no_calls_yet;
    return;
  }
  const below = level < today.target;
  box.dataset.status = below ? "below" : "met";
  $("service-level").textContent = fill(words.service_level_figure, {
    value: formatPercent(level),
    target: formatTargetPercent(today.target),
  });
  $("service-level-status").textContent = below ? "▼ " + words.below_target : "✓ " + words.on_target;
}
