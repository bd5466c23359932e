/* The JSON API: fetch with the session cookie, the CSRF token and X-Requested-With (without
 * which the API refuses a change with no JSON body, such as taking a caller), the server's
 * error messages, and back to the login page once the session is over. */
import { goToLogin } from "../common/live.js";
import { words } from "../common/page.js";

export const csrfToken = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

export function api(method, url, body) {
  const options = {
    method: method,
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken, "X-Requested-With": "XMLHttpRequest" },
  };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  return fetch(url, options).then(
    function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.status === 401) goToLogin();
        return { ok: response.ok, status: response.status, data: data || {} };
      });
    },
    function () {
      return { ok: false, status: 0, data: { error: words.no_answer } };
    }
  );
}

export function errorText(result, fallback) {
  return (result.data && result.data.error) || fallback + " (" + result.status + ")";
}
