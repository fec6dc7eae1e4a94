/** Moderation's numbers and vocabularies: limits, windows and the words stored in status columns. */
export { REPORT_REASONS, type ReportReason } from "../../domain/report-reasons.ts";

export const DEFAULT_REPORT_THRESHOLD = 3;
/** A report may name the peer of a chat that ended this recently (people report after leaving). */
export const REPORT_WINDOW_MS = 24 * 3600_000;
export const REPORT_INTERVAL_MS = 60_000;
export const REPORT_COMMENT_MAX = 500;
export const BLOCK_COOLDOWN_MS = 30 * 24 * 3600_000;
/** "Forever" for a reported pair; a real date, because JS dates cannot hold PostgreSQL's 'infinity'. */
export const NEVER_AGAIN = new Date("9999-12-31T00:00:00Z");
export const TOXIC_STRIKES_TO_MUTE = 3;
export const STRIKE_WINDOW_MS = 24 * 3600_000;
export const MUTE_BASE_MS = 3600_000;
export const MUTE_MAX_MS = 24 * 3600_000;
/** Mutes within this window count as repeats and double the next one. */
export const MUTE_ESCALATION_WINDOW_MS = 7 * 24 * 3600_000;
export const DEFAULT_SUSPEND_DAYS = 7;
export const MAX_SUSPEND_DAYS = 365;
export const ACTION_REASON_MAX = 500;
export const APPEAL_TEXT_MAX = 1000;
/** Forwarded evidence lives in the moderators' chat this long after the report closes. */
export const EVIDENCE_RETENTION_MS = 30 * 24 * 3600_000;
export const MAX_EVIDENCE_PER_REPORT = 20;
/** Telegram deletes a bot's message only within 48 h: copies shown to moderators come down at 47 h. */
export const EVIDENCE_SHOWN_MS = 47 * 3600_000;
export type EvidenceOrigin = "conversation" | "self" | "elsewhere";

export type ReportStatus = "new" | "in_review" | "resolved" | "dismissed";
export const REPORT_STATUSES: readonly ReportStatus[] = ["new", "in_review", "resolved", "dismissed"];
export const OPEN_STATUSES: ReportStatus[] = ["new", "in_review"];
export type ModeratorAction = "dismiss" | "warn" | "suspend" | "ban" | "unban" | "unsuspend";
export const MODERATOR_ACTIONS: readonly ModeratorAction[] = [
  "dismiss",
  "warn",
  "suspend",
  "ban",
  "unban",
  "unsuspend",
];
export type UserStatus = "active" | "suspended" | "banned" | "deleted";
export const USER_STATUSES: readonly UserStatus[] = ["active", "suspended", "banned", "deleted"];

/** Banned, or suspended with no end or an end still ahead: what an appeal is about, and what /delete keeps. */
export function isSanctionedAt(user: { status: string; suspendedUntil: Date | null }, now: Date): boolean {
  return (
    user.status === "banned" ||
    (user.status === "suspended" && (user.suspendedUntil === null || user.suspendedUntil > now))
  );
}
