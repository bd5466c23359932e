/* How a call is named on the page, in the queue and in the current call panel alike:
 * taxonomy labels, languages, priority badges and the tags saying why. */
import { config, el, words } from "../common/page.js";

const labels = taxonomyLabels(config.taxonomy);

function taxonomyLabels(taxonomy) {
  const found = {};
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
  return key ? labels[key] || key : words.not_chosen;
}

export function languageLabel(code) {
  return code ? words.language[code] || code : "–";
}

export function priorityBadge(priority, emergency) {
  const name = emergency ? "emergency" : priority;
  const badge = el("span", { class: "badge badge-" + name });
  if (name === "emergency") badge.append(el("span", { class: "badge-icon", "aria-hidden": "true" }, "⚠ "));
  badge.append(words.priority[name] || name);
  return badge;
}

export function reasonTags(reasons, repeatCaller) {
  const list = (reasons || []).slice();
  if (repeatCaller && list.indexOf("repeat_caller") < 0) list.push("repeat_caller");
  if (!list.length) return el("span", { class: "muted" }, "–");
  const tags = el("ul", { class: "tags" });
  list.forEach(function (reason) {
    tags.append(el("li", { class: "tag tag-" + reason }, words.reason[reason] || reason.replace(/_/g, " ")));
  });
  return tags;
}
