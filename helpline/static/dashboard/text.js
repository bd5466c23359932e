/* The page's words and numbers in its language: the texts the template renders, translated,
 * into the JSON block #dashboard-text; values put into their {name} marks; and counts, digits
 * and clock times as the language writes them (Persian digits for Persian). */
import { config } from "./page.js";

export var text = JSON.parse(document.getElementById("dashboard-text").textContent);

// Intl's locales for each page language. Chromium has no Tajik data: Russian writes numbers
// and times the way Tajik does.
var INTL_LOCALES = { fa: ["fa-IR"], en: ["en"], tg: ["tg", "ru"] };
export var locales = INTL_LOCALES[config.language] || ["en"];

var countFormat = new Intl.NumberFormat(locales, { maximumFractionDigits: 0 });
var PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹";

export var listSeparator = config.language === "fa" ? "، " : ", ";

// A template's {name} marks filled in; a mark with no value stays as it is.
export function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, function (mark, name) {
    return values && name in values ? String(values[name]) : mark;
  });
}

// The same, as pieces to append: values may be DOM nodes (a ticking duration, say).
// wrapText(string) wraps the template's own words, e.g. in a visually hidden span.
export function fillParts(template, values, wrapText) {
  var parts = [];
  String(template).split(/(\{\w+\})/).forEach(function (piece) {
    var name = /^\{(\w+)\}$/.exec(piece);
    if (name && values && name[1] in values) parts.push(values[name[1]]);
    else if (piece) parts.push(wrapText ? wrapText(piece) : piece);
  });
  return parts;
}

export function count(value) {
  return typeof value === "number" && isFinite(value) ? countFormat.format(value) : "–";
}

// Digits in a text the page wrote itself (a duration such as 1:05).
export function localDigits(value) {
  var written = String(value);
  if (config.language !== "fa") return written;
  return written.replace(/[0-9]/g, function (digit) { return PERSIAN_DIGITS[Number(digit)]; });
}

export function clockTime(date) {
  return date.toLocaleTimeString(locales, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
}
