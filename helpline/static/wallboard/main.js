/* The wallboard (wallboard.html): a screen for the wall of the helpline centre, with the
 * queue now, the counselors, today's figures and the alerts, all pushed by the server.
 * Native ES modules, no build step. */
import { showAlert } from "../common/alerts.js";
import { onEverySecond, startTicking } from "../common/clock.js";
import { connect } from "../common/live.js";
import { showWallboard, tickLongestWait } from "./figures.js";
import { showPresence } from "./counselors.js";
import { refreshEveryMinute } from "./refresh.js";

onEverySecond(tickLongestWait);
startTicking();
connect({ snapshot: { event: "wallboard", show: showWallboard }, handlers: { presence: showPresence, alert: showAlert } });
refreshEveryMinute();
