/* Times on the page: the server's clock as the last snapshot told it, durations in the page's
 * digits, and the once-a-second tick that keeps waiting times, presence durations and the
 * call's time moving between pushes. */
import { localDigits } from "./language.js";

let clockOffsetMs = 0;
const tickers = [];

// Python's isoformat has microseconds; keep milliseconds so every browser parses it.
export function parseTime(iso) {
  return iso ? Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1")) : NaN;
}

export function setServerTime(iso) {
  const serverTime = parseTime(iso);
  if (!isNaN(serverTime)) clockOffsetMs = serverTime - Date.now();
}

// The server's clock, as far as the last snapshot tells: waiting times do not depend on how
// right the screen's own clock is.
export const serverNow = () => Date.now() + clockOffsetMs;

export function secondsSince(iso) {
  const since = parseTime(iso);
  return isNaN(since) ? 0 : Math.max(0, Math.floor((serverNow() - since) / 1000));
}

export function formatDuration(total) {
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const mm = hours ? String(minutes).padStart(2, "0") : String(minutes);
  return localDigits((hours ? hours + ":" : "") + mm + ":" + String(seconds).padStart(2, "0"));
}

export function onEverySecond(ticker) {
  tickers.push(ticker);
}

// Every second: the tickers, and every element with a data-since time.
export function startTicking() {
  setInterval(() => {
    tickers.forEach((ticker) => ticker());
    document.querySelectorAll("[data-since]").forEach((node) => {
      node.textContent = formatDuration(secondsSince(node.dataset.since));
    });
  }, 1000);
}
