/* The banner that says the database is unreachable: while webhooks are being spooled, since
 * when (a ticking duration) and how many provider events wait to be recorded; hidden again
 * once they are all recorded. The figures on the wall are as old as the banner says. */
import { $, formatNumber, strings } from "./page.js";
import { formatDuration, secondsSince } from "./clock.js";

export function showDatabaseStatus(status) {
  var banner = $("database-status");
  if (!status || status.reachable) {
    banner.hidden = true;
    banner.replaceChildren();
    return;
  }
  var parts = [];
  String(strings.database_unreachable).split(/(\{\w+\})/).forEach(function (piece) {
    if (piece === "{since}") {
      var since = document.createElement("span");
      if (status.since) {
        since.dataset.since = status.since;
        since.textContent = formatDuration(secondsSince(status.since));
      }
      parts.push(since);
    } else if (piece === "{count}") {
      parts.push(formatNumber(status.waiting_webhooks));
    } else if (piece) {
      parts.push(piece);
    }
  });
  banner.replaceChildren.apply(banner, parts);
  banner.hidden = false;
}
