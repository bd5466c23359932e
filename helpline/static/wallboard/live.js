/* The live connection: the `wallboard`, `presence`, `alert` and `database` pushes, which wallboard bodies
 * are fresh (by version), the resync after a reconnect, a refresh once a minute in case a
 * push was lost (and so that "today" turns over at midnight), and the connection state in the
 * header. `io` is the global of the Socket.IO client, a classic script loaded before. */
import { $, config, strings } from "./page.js";
import { setServerTime } from "./clock.js";
import { showDatabaseStatus } from "./database_status.js";

var REFRESH_MS = 60 * 1000;

var wallboardVersion = -Infinity;
var socket = null;

function setConnection(status) {
  var node = $("connection");
  node.dataset.state = status;
  node.textContent = strings[status] || status;
  document.body.classList.toggle("is-stale", status !== "live");
}

export function goToLogin() {
  window.location.assign(config.login_url + "?next=" + encodeURIComponent(window.location.pathname));
}

// handlers: { wallboard, presence, alert }, each called with the event's body.
export function connect(handlers) {
  setConnection("connecting");
  socket = io({ transports: ["websocket"] });
  socket.on("connect", function () { setConnection("live"); });
  socket.on("disconnect", function (reason) {
    setConnection("reconnecting");
    // The server closed this socket (logged out elsewhere, or restarted): try again, and the
    // refusal of an ended session sends the page to the login.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", function (error) {
    setConnection("reconnecting");
    if (error && error.message === "log in first") goToLogin();
    // The server could not set the connection up this time (its database, say): again shortly.
    if (error && error.message === "try again") setTimeout(function () { socket.connect(); }, 2000);
  });
  socket.io.on("reconnect", function () {
    // A new connection: its bodies are fresh whatever their number (the server may have been
    // restored meanwhile); within it, older numbers are ignored again.
    wallboardVersion = -Infinity;
    socket.emit("resync");
  });
  socket.on("wallboard", function (body) { onWallboard(body, handlers.wallboard); });
  socket.on("presence", handlers.presence);
  socket.on("alert", handlers.alert);
  socket.on("logged_out", goToLogin);
  socket.on("database", showDatabaseStatus);
  setInterval(function () { refresh(handlers.wallboard); }, REFRESH_MS);
}

// Pushes from different requests may arrive out of order: an older body is dropped. The same
// version again is shown (waiting times have moved on).
function onWallboard(body, show) {
  if (!body || typeof body.version !== "number" || body.version < wallboardVersion) return;
  wallboardVersion = body.version;
  setServerTime(body.server_time);
  show(body);
}

function refresh(show) {
  if (!socket || !socket.connected) return;
  fetch(config.api_url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
    function (response) {
      if (response.status === 401) return goToLogin();
      if (response.ok) return response.json().then(function (body) { onWallboard(body, show); });
    },
    function () { /* the socket's own state tells whether the service answers */ }
  );
}
