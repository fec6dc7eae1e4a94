import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config } from "./config.ts";
import { secureDataDir } from "./data-dir.ts";

export interface Secrets {
  logHashSecret: string;
  internalApiSecret: string;
  adminToken: string;
  tipPayloadSecret: string;
}

/**
 * Production requires every secret in the environment (the config schema enforces it). In embedded
 * and development mode a missing secret is generated once and kept in DATA_DIR, so pseudonyms in logs
 * stay stable across restarts and `npm start` needs no setup.
 */
export function resolveSecrets(config: Config): Secrets {
  const fromEnv = {
    logHashSecret: config.LOG_HASH_SECRET,
    internalApiSecret: config.INTERNAL_API_SECRET,
    adminToken: config.ADMIN_TOKEN,
    tipPayloadSecret: config.TIP_PAYLOAD_SECRET,
  };
  if (fromEnv.logHashSecret && fromEnv.internalApiSecret && fromEnv.adminToken && fromEnv.tipPayloadSecret) {
    return fromEnv as Secrets;
  }
  const dir = resolve(config.DATA_DIR);
  const file = join(dir, "secrets.json");
  let stored: Partial<Secrets> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, "utf8")) as Partial<Secrets>;
  const merged: Secrets = {
    logHashSecret: stored.logHashSecret ?? randomBytes(32).toString("base64url"),
    internalApiSecret: stored.internalApiSecret ?? randomBytes(32).toString("base64url"),
    adminToken: stored.adminToken ?? randomBytes(24).toString("base64url"),
    tipPayloadSecret: stored.tipPayloadSecret ?? randomBytes(32).toString("base64url"),
  };
  if (
    stored.logHashSecret !== merged.logHashSecret ||
    stored.internalApiSecret !== merged.internalApiSecret ||
    stored.adminToken !== merged.adminToken ||
    stored.tipPayloadSecret !== merged.tipPayloadSecret
  ) {
    secureDataDir(dir);
    writeFileSync(file, JSON.stringify(merged, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return {
    logHashSecret: fromEnv.logHashSecret ?? merged.logHashSecret,
    internalApiSecret: fromEnv.internalApiSecret ?? merged.internalApiSecret,
    adminToken: fromEnv.adminToken ?? merged.adminToken,
    tipPayloadSecret: fromEnv.tipPayloadSecret ?? merged.tipPayloadSecret,
  };
}
