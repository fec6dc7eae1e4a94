import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import type { KeyValue } from "../../infra/ports.ts";
import type { IdentityHash } from "../identity.ts";
import { createErase } from "./erase.ts";
import { createExport } from "./export.ts";

export { type EraseResult, nextUtcMidnight } from "./erase.ts";
export { MIN_RATINGS_SHOWN, visibleEndReason } from "./export.ts";

/**
 * The right to be forgotten (erase.ts) and the right of access (export.ts). Erasure keeps matches,
 * sessions, tips and reports (counts, money, moderation history) under the same numeric id, but
 * nothing left in the database ties that id to a Telegram account or to what the person wrote about
 * themselves.
 */
export function createPrivacyService(deps: {
  db: Db;
  clock: Clock;
  kv: KeyValue;
  identityHash: IdentityHash;
  beforeExport?: () => Promise<void>;
}) {
  return { ...createErase(deps), ...createExport(deps) };
}

export type PrivacyService = ReturnType<typeof createPrivacyService>;
export type PersonalDataExport = NonNullable<Awaited<ReturnType<PrivacyService["export"]>>>;
