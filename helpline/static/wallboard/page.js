/* What every part of the wallboard reads: the configuration the server renders into the JSON
 * block #wallboard-config (the page's translated words among it: no inline script), and the
 * helpers that put words and numbers in the page's language. */

export var config = JSON.parse(document.getElementById("wallboard-config").textContent);
export var strings = config.strings;
export var language = document.documentElement.lang || "en";

var wholeNumbers = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
var twoDigits = new Intl.NumberFormat(language, { minimumIntegerDigits: 2, useGrouping: false });
var percents = new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 0 });

export function $(id) {
  return document.getElementById(id);
}

// "{count} callers" with count filled in: the translations keep the placeholders.
export function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
    return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
  });
}

export function formatNumber(value) {
  return typeof value === "number" && isFinite(value) ? wholeNumbers.format(value) : "–";
}

export function formatTwoDigits(value) {
  return twoDigits.format(value);
}

// A ratio (0..1) as a whole percent, rounded down: 79.6 % must not read as a target of 80 % met.
export function formatPercent(ratio) {
  return percents.format(Math.floor(ratio * 100 + 1e-9) / 100);
}

export function formatTargetPercent(ratio) {
  return percents.format(ratio);
}
