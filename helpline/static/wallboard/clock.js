/* The server's clock as the last wallboard told it, durations in the page's digits, and the
 * once-a-second tick that keeps waiting times and time-in-state moving between pushes. */
import { formatNumber, formatTwoDigits } from "./page.js";

var clockOffsetMs = 0;
var tickers = [];

// Python's isoformat has microseconds; keep milliseconds so every browser parses it.
export function parseTime(iso) {
  return iso ? Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1")) : NaN;
}

export function setServerTime(iso) {
  var serverTime = parseTime(iso);
  if (!isNaN(serverTime)) clockOffsetMs = serverTime - Date.now();
}

// Waiting times do not depend on how right the wall screen's own clock is.
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
  var head = hours ? formatNumber(hours) + ":" + formatTwoDigits(minutes) : formatNumber(minutes);
  return head + ":" + formatTwoDigits(seconds);
}

export function onEverySecond(ticker) {
  tickers.push(ticker);
}

export function startTicking() {
  setInterval(function () {
    tickers.forEach(function (ticker) { ticker(); });
    document.querySelectorAll("[data-since]").forEach(function (node) {
      node.textContent = formatDuration(secondsSince(node.dataset.since));
    });
  }, 1000);
}
