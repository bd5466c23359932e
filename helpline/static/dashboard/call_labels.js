/* How a call is named on the page, in the queue and in the current call panel alike:
 * taxonomy labels, languages, priority badges and the tags saying why. */
import { config, el } from "./page.js";

var PRIORITY_TEXT = { emergency: "Danger now", high: "High", elevated: "Raised", normal: "Routine" };
var REASON_TEXT = {
  danger_now: "Someone in danger now",
  previous_high_risk: "Earlier call was high risk",
  repeat_caller: "Repeat caller",
  no_choice: "Made no menu choice",
  waiting_long: "Waiting long: moved up",
};
var LANGUAGE_TEXT = { fa: "Persian", en: "English", tg: "Tajik" };

var labels = taxonomyLabels(config.taxonomy);

function taxonomyLabels(taxonomy) {
  var found = {};
  (function walk(items) {
    (items || []).forEach(function (item) {
      found[item.key] = item.label;
      walk(item.children);
    });
  })(taxonomy.categories);
  ["call_types", "outcomes", "risk_levels"].forEach(function (list) {
    (taxonomy[list] || []).forEach(function (item) {
      found[list + ":" + item.key] = item.label;
    });
  });
  return found;
}

export function categoryLabel(key) {
  return key ? labels[key] || key : "Not chosen";
}

export function languageLabel(code) {
  return code ? LANGUAGE_TEXT[code] || code : "–";
}

export function priorityBadge(priority, emergency) {
  var name = emergency ? "emergency" : priority;
  var badge = el("span", { class: "badge badge-" + name });
  if (name === "emergency") badge.append(el("span", { class: "badge-icon", "aria-hidden": "true" }, "⚠ "));
  badge.append(PRIORITY_TEXT[name] || name);
  return badge;
}

export function reasonTags(reasons, repeatCaller) {
  var list = (reasons || []).slice();
  if (repeatCaller && list.indexOf("repeat_caller") < 0) list.push("repeat_caller");
  if (!list.length) return el("span", { class: "muted" }, "–");
  var tags = el("ul", { class: "tags" });
  list.forEach(function (reason) {
    tags.append(el("li", { class: "tag tag-" + reason }, REASON_TEXT[reason] || reason.replace(/_/g, " ")));
  });
  return tags;
}
