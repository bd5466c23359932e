/* The live dashboard (dashboard.html): the queue, counts, presence, the counselor's own call
 * and its log, and supervisors' alerts. Native ES modules, no build step. This one starts the
 * page and wires the server's pushes (common/live.js) to the parts that show them; actions go through
 * the JSON API (http.js). */
import { showAlert } from "../common/alerts.js";
import { startTicking } from "../common/clock.js";
import { connect } from "../common/live.js";
import { $, config } from "../common/page.js";
import { api } from "./http.js";
import { isCounselor, watchesAlerts } from "./user.js";
import { scheduleAgingResync } from "./queue_aging.js";
import { showQueue } from "./queue_view.js";
import { bindPresenceControls, onMyPresence, onPresence, renderMyPresence } from "./presence.js";
import { bindCallPanel, followCurrentCall, restoreOpenCall } from "./current_call.js";

let seenMe = false;

// The user's own state: their presence, and the call they are on or still have to log.
function onMe(body) {
  if (!body) return;
  seenMe = true;
  if (!isCounselor) return;
  onMyPresence(body.presence.state);
  followCurrentCall(body.current_call);
}

function start() {
  $("queue-title").setAttribute("tabindex", "-1");
  if (isCounselor) {
    $("call-title").setAttribute("tabindex", "-1");
    bindPresenceControls();
    bindCallPanel();
    renderMyPresence(config.user.presence);
    api("GET", "/api/me").then(function (result) {
      if (!result.ok) return;
      if (!seenMe) onMe(result.data);
      restoreOpenCall(result.data);
    });
  }
  connect({
    snapshot: { event: "queue", show: (snapshot) => { showQueue(snapshot); scheduleAgingResync(snapshot); } },
    handlers: { presence: onPresence, me: onMe, ...(watchesAlerts ? { alert: showAlert } : {}) },
  });
  startTicking();
}

start();
