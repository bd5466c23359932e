/* Who is looking at the dashboard: a counselor takes and logs calls; supervisors and admins
 * also watch the alerts (the server says who does). */
import { config } from "../common/page.js";

export const isCounselor = config.user.role === "counselor";
export const watchesAlerts = Boolean(config.watches_alerts);
