import { systemClock } from "../src/clock.ts";
import { loadConfigOrExit } from "../src/config-exit.ts";
import { openDatabase } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { createMemoryInfra } from "../src/infra/memory.ts";
import { CONSOLE_ROLES, type ConsoleRole, createConsoleAccounts } from "../src/services/console-accounts.ts";

/**
 * `npm run console:add-user -- <login> [--role=moderator|admin] [--url=https://bot.example.org]`:
 * creates a console account (or a new link for one that never set its password) and prints the
 * one-time link where the person chooses their password (valid 24 h). Works on the configured
 * database like `npm run db:migrate`; with the embedded database, stop the bot first (PGlite is
 * single-process).
 */
const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const login = args.find((a) => !a.startsWith("--"))?.toLowerCase();
const role = (flag("role") ?? "moderator") as ConsoleRole;
if (!login || !CONSOLE_ROLES.includes(role)) {
  process.stderr.write(
    "usage: npm run console:add-user -- <login> [--role=moderator|admin] [--url=https://public.origin]\n",
  );
  process.exit(2);
}
const config = loadConfigOrExit();
const base = (flag("url") ?? `http://127.0.0.1:${config.PORT}`).replace(/\/+$/, "");
const db = await openDatabase(
  config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: config.DATA_DIR },
);
const infra = createMemoryInfra();
try {
  await migrate(db.db);
  const res = await createConsoleAccounts({ db: db.db, clock: systemClock, kv: infra.kv }).addAccount(
    login,
    role,
  );
  if (!res.ok) {
    const why = {
      bad_login: "a login is 3–32 of a-z 0-9 _ . -, starting with a letter",
      bad_role: "the role is moderator or admin",
      exists: "this account already has a password",
    }[res.reason];
    process.stderr.write(`Not created: ${why}.\n`);
    process.exitCode = 2;
  } else {
    process.stdout.write(
      `Account «${login}» (${role}). One-time link, valid until ${res.expiresAt.toISOString()}:\n` +
        `${base}/console/setup?token=${res.token}\n`,
    );
  }
} finally {
  await infra.close();
  await db.close();
}
