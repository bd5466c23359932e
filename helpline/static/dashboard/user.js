/* Who is looking at the dashboard: a counselor takes and logs calls; supervisors and admins
 * also watch the alerts. */
import { config } from "../common/page.js";

export const isCounselor = config.user.role === "counselor";
export const watchesAlerts = config.user.role === "supervisor" || config.user.role === "admin";
