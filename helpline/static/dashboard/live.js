/* The live connection: the Socket.IO events the server pushes (queue, presence, me, alert,
 * logged_out, database), which queue snapshots are fresh, the resyncs, and the connection state in the
 * header. `io` is the global of the Socket.IO client, a classic script loaded before the
 * modules. */
import { $, config } from "./page.js";
import { api, goToLogin } from "./http.js";
import { parseTime, serverNow, setServerTime } from "./clock.js";
import { text } from "./text.js";
import { showDatabaseStatus } from "./database_status.js";

var PRIORITY_RANKS = { normal: 1, elevated: 2, high: 3, emergency: 4 };

var queueVersion = -Infinity;
var agingTimer = null;
var socket = null;

function setConnection(status) {
  var node = $("connection");
  node.dataset.state = status;
  node.textContent = text.connection[status] || status;
  document.body.classList.toggle("is-stale", status !== "live");
}

// handlers: { queue, presence, me, alert }, each called with the event's body.
export function connect(handlers) {
  setConnection("connecting");
  socket = connectSocket(handlers);
}

function connectSocket(handlers) {
  var socket = io({ transports: ["websocket"] });
  socket.on("connect", function () { setConnection("live"); });
  socket.on("disconnect", function (reason) {
    setConnection("reconnecting");
    // The server closed this socket (logged out elsewhere, or restarted): find out which.
    if (reason === "io server disconnect") {
      api("GET", "/api/me").then(function (result) { if (result.ok) socket.connect(); });
    }
  });
  socket.on("connect_error", function (error) {
    setConnection("reconnecting");
    if (error && error.message === "log in first") goToLogin();
    // The server could not set the connection up this time (its database, say): again shortly.
    if (error && error.message === "try again") setTimeout(function () { socket.connect(); }, 2000);
  });
  socket.io.on("reconnect", function () {
    // A new connection: its snapshots are fresh, whatever their number (the server may
    // have been restored meanwhile); within it, older numbers are ignored again.
    queueVersion = -Infinity;
    socket.emit("resync");
  });
  socket.on("queue", function (snapshot) { onQueue(snapshot, handlers.queue); });
  socket.on("presence", handlers.presence);
  socket.on("me", handlers.me);
  socket.on("alert", handlers.alert);
  socket.on("logged_out", goToLogin);
  socket.on("database", showDatabaseStatus);
  return socket;
}

function onQueue(snapshot, show) {
  if (!snapshot || typeof snapshot.version !== "number" || snapshot.version < queueVersion) return;
  queueVersion = snapshot.version;
  setServerTime(snapshot.server_time);
  show(snapshot);
  scheduleAgingResync(snapshot);
}

// The served order changes when waiting raises a caller's priority, which pushes nothing:
// ask for a fresh snapshot when the next caller crosses an aging step.
function scheduleAgingResync(snapshot) {
  clearTimeout(agingTimer);
  var step = Number(config.aging_step) * 1000;
  if (!step) return;
  var soonest = Infinity;
  snapshot.calls.forEach(function (call) {
    if ((PRIORITY_RANKS[call.priority] || 0) >= PRIORITY_RANKS.high) return;
    var waited = serverNow() - parseTime(call.enqueued_at);
    soonest = Math.min(soonest, (Math.floor(waited / step) + 1) * step - waited);
  });
  if (soonest === Infinity) return;
  agingTimer = setTimeout(function () {
    if (socket && socket.connected) socket.emit("resync");
  }, soonest + 250);
}
