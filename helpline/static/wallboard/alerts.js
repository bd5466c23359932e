/* The counselor side's alerts (`alert` events), newest first; the list is a live region, so
 * each new alert is read out as well as shown. */
import { $, strings } from "./page.js";

var MAX_SHOWN = 30;

export function onAlert(alert) {
  if (!alert) return;
  var item = document.createElement("li");
  item.className = "wb-alert wb-alert-" + alert.kind;
  item.dataset.callSid = alert.call_sid || "";
  var time = document.createElement("time");
  var now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString(document.documentElement.lang || [], { hour: "2-digit", minute: "2-digit" });
  var kind = document.createElement("strong");
  kind.className = "wb-alert-kind";
  kind.textContent = (strings.alert_kinds[alert.kind] || strings.alert_other) + ": ";
  var message = document.createElement("span");
  message.className = "wb-alert-message";
  message.textContent = alert.message || "";
  item.append(time, " ", kind, message);
  var list = $("alert-list");
  list.prepend(item);
  while (list.children.length > MAX_SHOWN) list.lastElementChild.remove();
  $("alert-empty").hidden = true;
}
