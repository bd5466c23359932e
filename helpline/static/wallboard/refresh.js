/* A refresh once a minute in case a push was lost (and so that "today" turns over at
 * midnight): the same body as the `wallboard` event, from the API. */
import { acceptSnapshot, goToLogin, isConnected } from "../common/live.js";
import { config } from "../common/page.js";

const REFRESH_MS = 60 * 1000;

function refresh() {
  if (!isConnected()) return;
  fetch(config.api_url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
    (response) => {
      if (response.status === 401) return goToLogin();
      if (response.ok) return response.json().then(acceptSnapshot);
    },
    () => { /* the socket's own state tells whether the service answers */ }
  );
}

export function refreshEveryMinute() {
  setInterval(refresh, REFRESH_MS);
}
