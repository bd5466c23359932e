/* Times on the page: the server's clock as the last queue snapshot told it, durations (in the
 * page's digits), and the once-a-second update of every element with a data-since time. */
import { localDigits } from "./text.js";

var clockOffsetMs = 0;

// Python's isoformat has microseconds; keep milliseconds so every browser parses it.
export function parseTime(iso) {
  return iso ? Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1")) : NaN;
}

export function setServerTime(iso) {
  var serverTime = parseTime(iso);
  if (!isNaN(serverTime)) clockOffsetMs = serverTime - Date.now();
}

// The server's clock, as far as the last snapshot tells: waiting times do not depend on
// how right the counselor's computer clock is.
export function serverNow() {
  return Date.now() + clockOffsetMs;
}

export function secondsSince(iso) {
  var since = parseTime(iso);
  return isNaN(since) ? 0 : Math.max(0, Math.floor((serverNow() - since) / 1000));
}

export function formatDuration(total) {
  var hours = Math.floor(total / 3600);
  var minutes = Math.floor((total % 3600) / 60);
  var seconds = total % 60;
  var mm = hours ? String(minutes).padStart(2, "0") : String(minutes);
  return localDigits((hours ? hours + ":" : "") + mm + ":" + String(seconds).padStart(2, "0"));
}

// Every second: waiting times, the longest wait, presence durations, the call's time.
export function startTicking() {
  setInterval(function () {
    document.querySelectorAll("[data-since]").forEach(function (node) {
      node.textContent = formatDuration(secondsSince(node.dataset.since));
    });
  }, 1000);
}
