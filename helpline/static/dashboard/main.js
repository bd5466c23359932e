/* The live dashboard (dashboard.html): the queue, counts, presence, the counselor's own call
 * and its log, and supervisors' alerts. Native ES modules, no build step. This one starts the
 * page and wires the server's pushes (live.js) to the parts that show them; actions go through
 * the JSON API (http.js). */
import { $, config, isCounselor } from "./page.js";
import { api } from "./http.js";
import { startTicking } from "./clock.js";
import { connect } from "./live.js";
import { showQueue } from "./queue_view.js";
import { bindPresenceControls, onMyPresence, onPresence, renderMyPresence } from "./presence.js";
import { bindCallPanel, followCurrentCall, restoreOpenCall } from "./current_call.js";
import { onAlert } from "./alerts.js";

var seenMe = false;

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
  connect({ queue: showQueue, presence: onPresence, me: onMe, alert: onAlert });
  startTicking();
}

start();
