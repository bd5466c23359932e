/* The served order changes when waiting raises a caller's priority, which pushes nothing: a
 * fresh snapshot is asked for when the next caller crosses an aging step. */
import { config } from "../common/page.js";
import { parseTime, serverNow } from "../common/clock.js";
import { resync } from "../common/live.js";

const PRIORITY_RANKS = { normal: 1, elevated: 2, high: 3, emergency: 4 };

let agingTimer = null;

export function scheduleAgingResync(snapshot) {
  clearTimeout(agingTimer);
  const step = Number(config.aging_step) * 1000;
  if (!step) return;
  let soonest = Infinity;
  snapshot.calls.forEach((call) => {
    if ((PRIORITY_RANKS[call.priority] || 0) >= PRIORITY_RANKS.high) return;
    const waited = serverNow() - parseTime(call.enqueued_at);
    soonest = Math.min(soonest, (Math.floor(waited / step) + 1) * step - waited);
  });
  if (soonest === Infinity) return;
  agingTimer = setTimeout(resync, soonest + 250);
}
