/**
 * Accounts of the moderation console: sign-in with a password each (never a shared token), a one-time
 * link to set it, lockout after repeated failures, and sessions in the key-value store (shared by every
 * api replica, expiring by themselves). Passwords are scrypt hashes from Node's crypto with a salt each;
 * comparisons are constant-time. Nothing here knows HTTP: the console's routes set the cookie.
 */

import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { eq, sql } from "drizzle-orm";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { consoleAccounts } from "../db/schema.ts";
import type { KeyValue } from "../infra/ports.ts";

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

export const CONSOLE_ROLES = ["moderator", "admin"] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];
export const LOGIN_PATTERN = /^[a-z][a-z0-9_.-]{2,31}$/;
export const MIN_PASSWORD_LENGTH = 12;
/** Failed sign-ins in a row before the account is locked for LOCK_MS. */
export const MAX_FAILED_SIGN_INS = 5;
export const LOCK_MS = 15 * 60_000;
export const SESSION_TTL_MS = 12 * 3600_000;
export const SETUP_LINK_TTL_MS = 24 * 3600_000;

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

export interface ConsoleSession {
  accountId: number;
  login: string;
  role: ConsoleRole;
  /** Sent with every form; a POST without it is refused. */
  csrf: string;
}

export type SignInResult =
  | { ok: true; sessionId: string; session: ConsoleSession }
  | { ok: false; reason: "bad_credentials" | "locked"; until?: Date };

export type SetupResult =
  | { ok: true; login: string }
  | { ok: false; reason: "bad_link" | "expired" | "too_short" | "mismatch" };

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const token = () => randomBytes(32).toString("base64url");
const sessionKey = (id: string) => `console:session:${sha256(id)}`;

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { ...SCRYPT, maxmem: 64 * 1024 * 1024 });
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64url"), key.toString("base64url")].join(
    "$",
  );
}

async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split("$");
  if (kind !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const got = await scrypt(password, Buffer.from(salt, "base64url"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** A hash to compare against when the login does not exist, so a wrong login costs the same time. */
const DUMMY_HASH = hashPassword(randomBytes(16).toString("hex"));

export function createConsoleAccounts(deps: { db: Db; clock: Clock; kv: KeyValue }) {
  const { db, clock, kv } = deps;

  async function newSession(account: { id: number; login: string; role: string }) {
    const sessionId = token();
    const session: ConsoleSession = {
      accountId: account.id,
      login: account.login,
      role: account.role as ConsoleRole,
      csrf: token(),
    };
    await kv.set(sessionKey(sessionId), JSON.stringify(session), SESSION_TTL_MS);
    return { sessionId, session };
  }

  return {
    /**
     * A new account (or a new link for one that never set a password): returns the one-time token for
     * the setup link, valid SETUP_LINK_TTL_MS.
     */
    async addAccount(
      login: string,
      role: ConsoleRole,
    ): Promise<
      | { ok: true; token: string; expiresAt: Date }
      | { ok: false; reason: "bad_login" | "bad_role" | "exists" }
    > {
      if (!LOGIN_PATTERN.test(login)) return { ok: false, reason: "bad_login" };
      if (!CONSOLE_ROLES.includes(role)) return { ok: false, reason: "bad_role" };
      const setup = token();
      const expiresAt = new Date(clock.now().getTime() + SETUP_LINK_TTL_MS);
      const [existing] = await db.select().from(consoleAccounts).where(eq(consoleAccounts.login, login));
      if (existing?.passwordHash) return { ok: false, reason: "exists" };
      const values = { login, role, setupTokenHash: sha256(setup), setupExpiresAt: expiresAt };
      if (existing) await db.update(consoleAccounts).set(values).where(eq(consoleAccounts.id, existing.id));
      else await db.insert(consoleAccounts).values(values);
      return { ok: true, token: setup, expiresAt };
    },

    /** The one-time link: the person chooses their password; the link then stops working. */
    async completeSetup(setupToken: string, password: string, repeat: string): Promise<SetupResult> {
      const [account] = await db
        .select()
        .from(consoleAccounts)
        .where(eq(consoleAccounts.setupTokenHash, sha256(setupToken)));
      if (!account) return { ok: false, reason: "bad_link" };
      if (!account.setupExpiresAt || account.setupExpiresAt <= clock.now())
        return { ok: false, reason: "expired" };
      if (password.length < MIN_PASSWORD_LENGTH) return { ok: false, reason: "too_short" };
      if (password !== repeat) return { ok: false, reason: "mismatch" };
      await db
        .update(consoleAccounts)
        .set({
          passwordHash: await hashPassword(password),
          setupTokenHash: null,
          setupExpiresAt: null,
          failedSignIns: 0,
          lockedUntil: null,
        })
        .where(eq(consoleAccounts.id, account.id));
      return { ok: true, login: account.login };
    },

    /**
     * Sign-in. After MAX_FAILED_SIGN_INS wrong passwords in a row the account is locked for LOCK_MS,
     * and a right password does not open it meanwhile. A wrong login and a wrong password look the same.
     */
    async signIn(login: string, password: string): Promise<SignInResult> {
      const now = clock.now();
      const [account] = await db.select().from(consoleAccounts).where(eq(consoleAccounts.login, login));
      if (!account?.passwordHash || account.disabled) {
        await verifyPassword(password, await DUMMY_HASH);
        return { ok: false, reason: "bad_credentials" };
      }
      if (account.lockedUntil && account.lockedUntil > now) {
        return { ok: false, reason: "locked", until: account.lockedUntil };
      }
      if (!(await verifyPassword(password, account.passwordHash))) {
        const [row] = await db
          .update(consoleAccounts)
          .set({
            failedSignIns: sql`${consoleAccounts.failedSignIns} + 1`,
            lockedUntil: sql`case when ${consoleAccounts.failedSignIns} + 1 >= ${MAX_FAILED_SIGN_INS}
              then ${new Date(now.getTime() + LOCK_MS).toISOString()}::timestamptz else null end`,
          })
          .where(eq(consoleAccounts.id, account.id))
          .returning({ lockedUntil: consoleAccounts.lockedUntil, failed: consoleAccounts.failedSignIns });
        if (row?.lockedUntil) return { ok: false, reason: "locked", until: row.lockedUntil };
        return { ok: false, reason: "bad_credentials" };
      }
      await db
        .update(consoleAccounts)
        .set({ failedSignIns: 0, lockedUntil: null, lastSignInAt: now })
        .where(eq(consoleAccounts.id, account.id));
      return { ok: true, ...(await newSession(account)) };
    },

    /** The session a cookie names, or null (expired, signed out, or never existed). */
    async session(sessionId: string | undefined): Promise<ConsoleSession | null> {
      if (!sessionId) return null;
      const raw = await kv.get(sessionKey(sessionId));
      return raw ? (JSON.parse(raw) as ConsoleSession) : null;
    },

    async signOut(sessionId: string | undefined): Promise<void> {
      if (sessionId) await kv.delete(sessionKey(sessionId));
    },

    /** Constant-time comparison of a form's CSRF token with the session's. */
    csrfMatches(session: ConsoleSession, sent: unknown): boolean {
      if (typeof sent !== "string") return false;
      const a = Buffer.from(sent);
      const b = Buffer.from(session.csrf);
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}

export type ConsoleAccounts = ReturnType<typeof createConsoleAccounts>;
