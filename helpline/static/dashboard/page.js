/* What every part of the dashboard reads: the configuration the server renders into the JSON
 * block #dashboard-config (no inline script: CSP friendly), the user's role, and two DOM
 * helpers. */

export var config = JSON.parse(document.getElementById("dashboard-config").textContent);
export var isCounselor = config.user.role === "counselor";
export var watchesAlerts = config.user.role === "supervisor" || config.user.role === "admin";

export function $(id) {
  return document.getElementById(id);
}

export function el(tag, attributes) {
  var node = document.createElement(tag);
  Object.keys(attributes || {}).forEach(function (name) {
    var value = attributes[name];
    if (value === null || value === undefined || value === false) return;
    node.setAttribute(name, value === true ? "" : String(value));
  });
  for (var i = 2; i < arguments.length; i++) {
    var child = arguments[i];
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}
