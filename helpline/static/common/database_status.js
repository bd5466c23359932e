/* The banner that says the database is unreachable: while webhooks are being spooled, since
 * when (a ticking duration) and how many provider events wait to be recorded; hidden again
 * once they are all recorded. Callers are still queued meanwhile, and the banner says so, so
 * that nobody leaves the phones; what the page shows is as old as the banner says. */
import { $, words } from "./page.js";
import { fillParts, formatNumber } from "./language.js";
import { formatDuration, secondsSince } from "./clock.js";

export function showDatabaseStatus(status) {
  const banner = $("database-status");
  if (!status || status.reachable) {
    banner.hidden = true;
    banner.replaceChildren();
    return;
  }
  const since = document.createElement("span");
  if (status.since) {
    since.dataset.since = status.since;
    since.textContent = formatDuration(secondsSince(status.since));
  }
  banner.replaceChildren(...fillParts(words.database_unreachable, { since, count: formatNumber(status.waiting_webhooks) }));
  banner.hidden = false;
}
