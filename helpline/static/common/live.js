/* The live connection: the Socket.IO events the server pushes, which snapshots are fresh (by
 * version), the resync after a reconnect, the connection's state in the header, the database
 * banner, and back to the login page once the session is over. `io` is the global of the
 * Socket.IO client, a classic script loaded before the modules. */
import { $, config, words } from "./page.js";
import { setServerTime } from "./clock.js";
import { showDatabaseStatus } from "./database_status.js";

let socket = null;
let snapshotVersion = -Infinity;
let showSnapshot = () => {};

function setConnection(status) {
  const node = $("connection");
  node.dataset.state = status;
  node.textContent = words.connection[status] || status;
  document.body.classList.toggle("is-stale", status !== "live");
}

export function goToLogin() {
  window.location.assign(`${config.login_url}?next=${encodeURIComponent(window.location.pathname)}`);
}

// Snapshots from different requests may arrive out of order: an older one is dropped. The same
// version again is shown (waiting times have moved on).
export function acceptSnapshot(snapshot) {
  if (!snapshot || typeof snapshot.version !== "number" || snapshot.version < snapshotVersion) return;
  snapshotVersion = snapshot.version;
  setServerTime(snapshot.server_time);
  showSnapshot(snapshot);
}

export function isConnected() {
  return Boolean(socket && socket.connected);
}

// Ask for every snapshot again.
export function resync() {
  if (isConnected()) socket.emit("resync");
}

// snapshot: the versioned event this page shows (`queue` or `wallboard`) and its handler;
// handlers: the other events' handlers ({presence, me, alert}), each called with the body.
export function connect({ snapshot, handlers }) {
  setConnection("connecting");
  showSnapshot = snapshot.show;
  socket = io({ transports: ["websocket"] });
  socket.on("connect", () => setConnection("live"));
  socket.on("disconnect", (reason) => {
    setConnection("reconnecting");
    // The server closed this socket (logged out elsewhere, or restarted): try again, and the
    // refusal of an ended session sends the page to the login.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", (error) => {
    setConnection("reconnecting");
    if (error && error.message === "log in first") goToLogin();
    // The server could not set the connection up this time (its database, say): again shortly.
    if (error && error.message === "try again") setTimeout(() => socket.connect(), 2000);
  });
  socket.io.on("reconnect", () => {
    // A new connection: its snapshots are fresh whatever their number (the server may have
    // been restored meanwhile); within it, older numbers are ignored again.
    snapshotVersion = -Infinity;
    socket.emit("resync");
  });
  socket.on(snapshot.event, acceptSnapshot);
  Object.entries(handlers).forEach(([event, handler]) => socket.on(event, handler));
  socket.on("logged_out", goToLogin);
  socket.on("database", showDatabaseStatus);
}
