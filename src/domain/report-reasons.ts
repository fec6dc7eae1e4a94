/**
 * Why someone reports the person they talked to: the one list. The bot's /report buttons, the
 * service's check and the database's CHECK constraints all read it.
 */
export const REPORT_REASONS = ["spam", "abuse", "danger", "other"] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

export function isReportReason(value: string): value is ReportReason {
  return (REPORT_REASONS as readonly string[]).includes(value);
}
