import { and, eq, gte, isNotNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { tips } from "../../db/schema.ts";

/** The tip ledger: what each recipient received and had refunded in a period, as rows or CSV. */
export interface LedgerPeriod {
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

export interface LedgerRow {
  recipientUserId: number | null;
  /** Tips paid in the period (including ones refunded later). */
  paidCount: number;
  /** Sum of recipient shares of tips paid in the period. */
  received: number;
  /** Tips refunded in the period. */
  refundedCount: number;
  /** Sum of recipient shares of tips refunded in the period. */
  refunded: number;
  /** received − refunded. */
  net: number;
}

export const LEDGER_CSV_HEADER = "recipient_user_id,paid_count,received,refunded_count,refunded,net";

function within(column: typeof tips.paidAt | typeof tips.refundedAt, period: LedgerPeriod): SQL {
  const parts: SQL[] = [isNotNull(column)];
  if (period.from) parts.push(gte(column, period.from));
  if (period.to) parts.push(lt(column, period.to));
  return and(...parts) as SQL;
}

export function createLedger(deps: { db: Db }) {
  const { db } = deps;

  /**
   * Per recipient, event-based: a tip counts as received in the period it was paid and as refunded in
   * the period it was refunded, so a refund in a later month shows there, and net sums across periods.
   */
  async function ledger(period: LedgerPeriod = {}): Promise<LedgerRow[]> {
    const paidIn = within(tips.paidAt, period);
    const refundedIn = within(tips.refundedAt, period);
    const rows = await db
      .select({
        recipientUserId: tips.toUser,
        paidCount: sql<string>`count(*) filter (where ${paidIn})`,
        received: sql<string>`coalesce(sum(${tips.recipientShare}) filter (where ${paidIn}), 0)`,
        refundedCount: sql<string>`count(*) filter (where ${refundedIn})`,
        refunded: sql<string>`coalesce(sum(${tips.recipientShare}) filter (where ${refundedIn}), 0)`,
      })
      .from(tips)
      .where(and(or(eq(tips.status, "paid"), eq(tips.status, "refunded")), or(paidIn, refundedIn)))
      .groupBy(tips.toUser)
      .orderBy(sql`${tips.toUser} asc nulls last`);
    return rows.map((r) => {
      const received = Number(r.received);
      const refunded = Number(r.refunded);
      return {
        recipientUserId: r.recipientUserId,
        paidCount: Number(r.paidCount),
        received,
        refundedCount: Number(r.refundedCount),
        refunded,
        net: received - refunded,
      };
    });
  }

  /** The ledger as CSV (RFC 4180, CRLF): our user ids only, never Telegram ids. */
  async function reportCsv(period: LedgerPeriod = {}): Promise<string> {
    const rows = await ledger(period);
    const lines = rows.map((r) =>
      [r.recipientUserId ?? "", r.paidCount, r.received, r.refundedCount, r.refunded, r.net].join(","),
    );
    return `${[LEDGER_CSV_HEADER, ...lines].join("\r\n")}\r\n`;
  }

  return { ledger, reportCsv };
}
