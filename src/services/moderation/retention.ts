import { and, eq, lt } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { keptApartIdentities, recentContacts, sanctionedIdentities } from "../../db/schema.ts";

/**
 * Protections are kept while they protect, not after: cooldowns and keep-aparts whose end has passed,
 * and suspensions kept under a keyed hash (after /delete) that have ended, are deleted. Bans and
 * «never again» (infinity) rows stay.
 */
export function createRetention(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    async purgeExpiredProtections(): Promise<{ contacts: number; keptApart: number; suspensions: number }> {
      const now = clock.now();
      const contacts = await db
        .delete(recentContacts)
        .where(lt(recentContacts.until, now))
        .returning({ id: recentContacts.userId });
      const keptApart = await db
        .delete(keptApartIdentities)
        .where(lt(keptApartIdentities.until, now))
        .returning({ id: keptApartIdentities.otherId });
      const suspensions = await db
        .delete(sanctionedIdentities)
        .where(and(eq(sanctionedIdentities.status, "suspended"), lt(sanctionedIdentities.until, now)))
        .returning({ hash: sanctionedIdentities.tgHash });
      return { contacts: contacts.length, keptApart: keptApart.length, suspensions: suspensions.length };
    },
  };
}
