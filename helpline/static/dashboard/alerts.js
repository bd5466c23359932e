/* Alerts for supervisors and admins: each pushed alert goes on top of the list and is
 * announced at once. */
import { $, el, watchesAlerts } from "./page.js";
import { clockTime } from "./clock.js";

var ALERT_TEXT = { high_risk_logged: "High risk logged", danger_now_waiting: "Danger-now caller waiting" };

export function onAlert(alert) {
  if (!watchesAlerts || !alert) return;
  var title = ALERT_TEXT[alert.kind] || String(alert.kind).replace(/_/g, " ");
  var now = new Date();
  var item = el("li", { class: "alert-item alert-" + alert.kind, "data-call-sid": alert.call_sid },
    el("span", { class: "alert-title" }, el("span", { "aria-hidden": "true" }, "⚠ "), title),
    el("span", { class: "alert-message" }, alert.message),
    el("time", { class: "alert-time", datetime: now.toISOString() }, clockTime(now))
  );
  var list = $("alerts-list");
  list.prepend(item);
  $("alerts-empty").hidden = true;
  $("alert-announcer").textContent = title + ": " + alert.message;
  $("alert-announcer").hidden = false;
}
