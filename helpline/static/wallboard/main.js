/* The wallboard (wallboard.html): a screen for the wall of the helpline centre, with the
 * queue now, the counselors, today's figures and the alerts, all pushed by the server.
 * Native ES modules, no build step. */
import { connect } from "./live.js";
import { showWallboard, tickLongestWait } from "./figures.js";
import { showPresence } from "./counselors.js";
import { onAlert } from "./alerts.js";
import { onEverySecond, startTicking } from "./clock.js";

onEverySecond(tickLongestWait);
startTicking();
connect({ wallboard: showWallboard, presence: showPresence, alert: onAlert });
