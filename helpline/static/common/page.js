/* What every part of a page reads: the configuration the server renders into the JSON block
 * #page-config, the page's words in its language (#page-words; {name} marks where a script puts
 * a value, and the translations keep those marks), and two DOM helpers. JSON blocks rather
 * than inline script: the Content-Security-Policy allows none. */

export const $ = (id) => document.getElementById(id);

export const config = JSON.parse($("page-config").textContent);
export const words = JSON.parse($("page-words").textContent);

export function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  Object.entries(attributes || {}).forEach(([name, value]) => {
    if (value === null || value === undefined || value === false) return;
    node.setAttribute(name, value === true ? "" : String(value));
  });
  children.forEach((child) => {
    if (child === null || child === undefined) return;
    node.append(child instanceof Node ? child : String(child));
  });
  return node;
}
