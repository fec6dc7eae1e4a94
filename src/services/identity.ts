import { createHmac } from "node:crypto";

/**
 * A keyed hash of a Telegram id for the one place a trace must outlive /delete: a sanction. The key is
 * derived from the log-hash secret with its own purpose, so the value never equals a log pseudonym.
 * Rotating that secret forgets the sanctions of people who already erased their data.
 */
export type IdentityHash = (tgId: number) => string;

export function createIdentityHash(secret: string): IdentityHash {
  const key = createHmac("sha256", secret).update("sanctioned-identity/v1").digest();
  return (tgId) => createHmac("sha256", key).update(String(tgId)).digest("hex");
}
