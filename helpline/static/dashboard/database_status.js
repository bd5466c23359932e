/* The banner that says the database is unreachable: while webhooks are being spooled, since
 * when (a ticking duration) and how many provider events wait to be recorded; hidden again
 * once they are all recorded. Callers are still queued meanwhile: the banner says so, so that
 * nobody leaves the phones. */
import { $ } from "./page.js";
import { count, fillParts, text } from "./text.js";
import { formatDuration, secondsSince } from "./clock.js";

export function showDatabaseStatus(status) {
  var banner = $("database-status");
  if (!status || status.reachable) {
    banner.hidden = true;
    banner.replaceChildren();
    return;
  }
  var since = document.createElement("span");
  if (status.since) {
    since.dataset.since = status.since;
    since.textContent = formatDuration(secondsSince(status.since));
  }
  banner.replaceChildren.apply(
    banner,
    fillParts(text.database_unreachable, { since: since, count: count(status.waiting_webhooks) })
  );
  banner.hidden = false;
}
