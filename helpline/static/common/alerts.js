/* Alerts for supervisors and admins (`alert` events): each goes on top of the page's list, is
 * read out, and is worded here, in the page's language, from its kind and parameters (the
 * event's English `message` is for other clients, and for kinds this page has no words for). */
import { $, el, words } from "./page.js";
import { clockTime, fill, formatNumber } from "./language.js";

const MAX_SHOWN = 30;

export function alertTitle(alert) {
  return words.alert[alert.kind] || words.alert_other;
}

export function alertMessage(alert) {
  const params = alert.params || {};
  const template = words.alert_message[`${alert.kind}.${params.risk_level}`] || words.alert_message[alert.kind];
  if (!template) return alert.message || "";
  const values = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, typeof value === "number" ? formatNumber(value) : value])
  );
  return fill(template, values);
}

// On the page: the list #alert-list, #alert-empty hidden once there is one, and, where the page
// has one, the #alert-announcer banner that says the latest.
export function showAlert(alert) {
  if (!alert) return;
  const title = alertTitle(alert);
  const message = alertMessage(alert);
  const now = new Date();
  const item = el("li", { class: `alert-item alert-${alert.kind}`, "data-call-sid": alert.call_sid || "" },
    el("time", { class: "alert-time", datetime: now.toISOString() }, clockTime(now)),
    " ",
    el("strong", { class: "alert-title" }, el("span", { "aria-hidden": "true" }, "⚠ "), `${title}:`),
    " ",
    el("span", { class: "alert-message" }, message)
  );
  const list = $("alert-list");
  list.prepend(item);
  while (list.children.length > MAX_SHOWN) list.lastElementChild.remove();
  $("alert-empty").hidden = true;
  const announcer = $("alert-announcer");
  if (announcer) {
    announcer.textContent = fill(words.alert_line, { title, message });
    announcer.hidden = false;
  }
}
