/* Alerts for supervisors and admins: each pushed alert goes on top of the list and is
 * announced at once. */
import { $, el, watchesAlerts } from "./page.js";
import { clockTime, fill, text } from "./text.js";

export function onAlert(alert) {
  if (!watchesAlerts || !alert) return;
  var title = text.alert[alert.kind] || String(alert.kind).replace(/_/g, " ");
  var now = new Date();
  var item = el("li", { class: "alert-item alert-" + alert.kind, "data-call-sid": alert.call_sid },
    el("span", { class: "alert-title" }, el("span", { "aria-hidden": "true" }, "⚠ "), title),
    el("span", { class: "alert-message" }, alert.message),
    el("time", { class: "alert-time", datetime: now.toISOString() }, clockTime(now))
  );
  var list = $("alerts-list");
  list.prepend(item);
  $("alerts-empty").hidden = true;
  $("alert-announcer").textContent = fill(text.alert_line, { title: title, message: alert.message });
  $("alert-announcer").hidden = false;
}
