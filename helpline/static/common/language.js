/* Words and numbers in the page's language: values put into a template's {name} marks, and
 * counts, percentages, digits and clock times as the language writes them (Persian digits for
 * Persian). */

export const language = document.documentElement.lang || "en";

// Intl's locales for each page language. Chromium has no Tajik data: Russian writes numbers
// and times the way Tajik does.
const INTL_LOCALES = { fa: ["fa-IR"], en: ["en"], tg: ["tg", "ru"] };
export const locales = INTL_LOCALES[language] || ["en"];

const wholeNumbers = new Intl.NumberFormat(locales, { maximumFractionDigits: 0 });
const twoDigits = new Intl.NumberFormat(locales, { minimumIntegerDigits: 2, useGrouping: false });
const percents = new Intl.NumberFormat(locales, { style: "percent", maximumFractionDigits: 0 });
const PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹";

export const listSeparator = language === "fa" ? "، " : ", ";

// A template's {name} marks filled in; a mark with no value stays as it is.
export function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (mark, name) =>
    values && Object.hasOwn(values, name) ? String(values[name]) : mark
  );
}

// The same, as pieces to append: values may be DOM nodes (a ticking duration, say).
// wrapText(string) wraps the template's own words, e.g. in a visually hidden span.
export function fillParts(template, values, wrapText) {
  const parts = [];
  String(template).split(/(\{\w+\})/).forEach((piece) => {
    const name = /^\{(\w+)\}$/.exec(piece);
    if (name && values && Object.hasOwn(values, name[1])) parts.push(values[name[1]]);
    else if (piece) parts.push(wrapText ? wrapText(piece) : piece);
  });
  return parts;
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

// Digits in a text the page wrote itself (a duration such as 1:05).
export function localDigits(value) {
  const written = String(value);
  if (language !== "fa") return written;
  return written.replace(/[0-9]/g, (digit) => PERSIAN_DIGITS[Number(digit)]);
}

export function clockTime(date, { seconds = true } = {}) {
  const parts = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  return date.toLocaleTimeString(locales, seconds ? { ...parts, second: "2-digit" } : parts);
}
