import { z } from "zod";

/** Every environment variable the project reads, in one schema. Documented in README and .env.example. */
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const port = z.coerce
  .number({ error: "an integer 0–65535" })
  .int("an integer 0–65535")
  .min(0, "an integer 0–65535")
  .max(65535, "an integer 0–65535");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** `auto`: readable lines (pino-pretty) when stdout is a terminal, JSON otherwise. */
  LOG_FORMAT: z.enum(["auto", "json", "pretty"]).default("auto"),
  BOT_MODE: z.enum(["webhook", "polling", "sandbox"]).optional(),
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[A-Za-z0-9_-]{10,}$/, "a BotFather token like 123456:ABC-def…")
    .optional(),
  /** Unset = the public Bot API (or, in sandbox mode, the local emulator). */
  TELEGRAM_API_ROOT: z.url().optional(),
  WEBHOOK_URL: z.url().optional(),
  WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, "16–256 characters of A–Z, a–z, 0–9, _ and -")
    .optional(),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: port.default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "a postgres:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "a redis:// URL")
    .optional(),
  REDIS_PREFIX: z.string().min(1).max(64).default("tno:"),
  LOG_HASH_SECRET: z.string().min(16, "at least 16 characters").optional(),
  INTERNAL_API_SECRET: z.string().min(16, "at least 16 characters").optional(),
  ADMIN_TOKEN: z.string().min(16, "at least 16 characters").optional(),
  TIP_PAYLOAD_SECRET: z.string().min(16, "at least 16 characters").optional(),
  TIP_COMMISSION_BPS: z.coerce
    .number({ error: "basis points, 0–5000 (1000 = 10%)" })
    .int("basis points, 0–5000 (1000 = 10%)")
    .min(0, "basis points, 0–5000 (1000 = 10%)")
    .max(5000, "basis points, 0–5000 (1000 = 10%)")
    .default(1000),
  TIP_PAYOUT_POLICY: z.enum(["manual", "platform"]).default("manual"),
  MATCH_MIN_TOPIC_WEIGHT: z.coerce
    .number({ error: "1, 2 or 3 (the weights people give their topics)" })
    .int("1, 2 or 3 (the weights people give their topics)")
    .min(1, "1, 2 or 3 (the weights people give their topics)")
    .max(3, "1, 2 or 3 (the weights people give their topics)")
    .default(1),
  REPORT_SUSPEND_THRESHOLD: z.coerce
    .number({ error: "a whole number of people, 1–20" })
    .int("a whole number of people, 1–20")
    .min(1, "a whole number of people, 1–20")
    .max(20, "a whole number of people, 1–20")
    .default(3),
  MOD_CHAT_ID: z
    .string()
    .regex(/^-?\d{1,20}$/, "a Telegram chat id (a number, negative for groups)")
    .optional(),
  AI_COACH_ENABLED: bool.default(false),
  AI_COACH_ROLLOUT: z.coerce
    .number({ error: "a percentage, 0–100" })
    .min(0, "a percentage, 0–100")
    .max(100, "a percentage, 0–100")
    .default(10),
  AI_COACH_HOURLY_CAP: z.coerce
    .number({ error: "an integer 1–1000" })
    .int("an integer 1–1000")
    .min(1, "an integer 1–1000")
    .max(1000, "an integer 1–1000")
    .default(10),
  AI_COACH_DAILY_TOKENS: z.coerce
    .number({ error: "an integer ≥ 1000" })
    .int("an integer ≥ 1000")
    .min(1000, "an integer ≥ 1000")
    .default(200_000),
  LLM_BASE_URL: z.url().optional(),
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_MODEL: z.string().min(1).default("gpt-4o-mini"),
  LLM_TIMEOUT_MS: z.coerce
    .number({ error: "milliseconds, 200–2800" })
    .int("milliseconds, 200–2800")
    .min(200, "milliseconds, 200–2800")
    .max(2800, "milliseconds, 200–2800")
    .default(2500),
  SAFETY_MODEL_URL: z.url().optional(),
  SAFETY_MODEL_KEY: z.string().min(1).optional(),
  SAFETY_MODEL_NAME: z.string().min(1).default("gpt-4o-mini"),
  SAFETY_MODEL_TIMEOUT_MS: z.coerce
    .number({ error: "milliseconds, 200–5000" })
    .int("milliseconds, 200–5000")
    .min(200, "milliseconds, 200–5000")
    .max(5000, "milliseconds, 200–5000")
    .default(1500),
  CHECK_INS_EVERY_MS: z.coerce
    .number({ error: "milliseconds, 1000–600000" })
    .int("milliseconds, 1000–600000")
    .min(1000, "milliseconds, 1000–600000")
    .max(600_000, "milliseconds, 1000–600000")
    .default(60_000),
  DIGEST_EVERY_MS: z.coerce
    .number({ error: "milliseconds, 200–600000" })
    .int("milliseconds, 200–600000")
    .min(200, "milliseconds, 200–600000")
    .max(600_000, "milliseconds, 200–600000")
    .default(60_000),
  DIGEST_ROLLOUT: z.coerce
    .number({ error: "a percentage, 0–100" })
    .min(0, "a percentage, 0–100")
    .max(100, "a percentage, 0–100")
    .default(100),
  /**
   * Tests only: the process's clock runs this far ahead (a week later without waiting a week).
   * Refused when NODE_ENV=production.
   */
  CLOCK_OFFSET_MS: z.coerce
    .number({ error: "milliseconds, 0–31536000000" })
    .int("milliseconds, 0–31536000000")
    .min(0, "milliseconds, 0–31536000000")
    .max(31_536_000_000, "milliseconds, 0–31536000000")
    .default(0),
  SANDBOX_HOST: z.string().min(1).default("127.0.0.1"),
  SANDBOX_PORT: port.default(8081),
  SET_COMMANDS: bool.default(true),
  TELEGRAM_PER_CHAT_MIN_MS: z.coerce
    .number({ error: "milliseconds, 0–5000" })
    .int("milliseconds, 0–5000")
    .min(0, "milliseconds, 0–5000")
    .max(5000, "milliseconds, 0–5000")
    .default(1000),
  CHAT_TIMERS_EVERY_MS: z.coerce
    .number({ error: "milliseconds, 1000–60000" })
    .int("milliseconds, 1000–60000")
    .min(1000, "milliseconds, 1000–60000")
    .max(60_000, "milliseconds, 1000–60000")
    .default(30_000),
  TELEGRAM_PER_CHAT_BURST: z.coerce
    .number({ error: "messages, 1–20" })
    .int("messages, 1–20")
    .min(1, "messages, 1–20")
    .max(20, "messages, 1–20")
    .default(3),
  TELEGRAM_BULK_PER_SECOND: z.coerce
    .number({ error: "messages per second, 1–30" })
    .int("messages per second, 1–30")
    .min(1, "messages per second, 1–30")
    .max(30, "messages per second, 1–30")
    .default(25),
  SHUTDOWN_TIMEOUT_MS: z.coerce
    .number({ error: "milliseconds, 100–60000" })
    .int("milliseconds, 100–60000")
    .min(100, "milliseconds, 100–60000")
    .max(60_000, "milliseconds, 100–60000")
    .default(10_000),
});

/** Rules that tie variables together; checked on the raw values so every problem is listed at once. */
function checkCombinations(
  raw: Record<string, string | undefined>,
): Array<{ name: string; expected: string }> {
  const problems: Array<{ name: string; expected: string }> = [];
  const mode = raw.BOT_MODE ?? (raw.TELEGRAM_BOT_TOKEN ? "polling" : "sandbox");
  if ((mode === "webhook" || mode === "polling") && !raw.TELEGRAM_BOT_TOKEN) {
    problems.push({ name: "TELEGRAM_BOT_TOKEN", expected: `a token (required when BOT_MODE=${mode})` });
  }
  if (mode === "webhook") {
    if (!raw.WEBHOOK_URL)
      problems.push({ name: "WEBHOOK_URL", expected: "a URL (required when BOT_MODE=webhook)" });
    if (!raw.WEBHOOK_SECRET)
      problems.push({ name: "WEBHOOK_SECRET", expected: "a secret (required when BOT_MODE=webhook)" });
  }
  if (raw.NODE_ENV === "production" && raw.CLOCK_OFFSET_MS && Number(raw.CLOCK_OFFSET_MS) !== 0) {
    problems.push({
      name: "CLOCK_OFFSET_MS",
      expected: "0 or unset (a test setting, refused when NODE_ENV=production)",
    });
  }
  if (raw.NODE_ENV === "production") {
    for (const key of ["LOG_HASH_SECRET", "INTERNAL_API_SECRET", "ADMIN_TOKEN", "TIP_PAYLOAD_SECRET"]) {
      if (!raw[key]) problems.push({ name: key, expected: "a secret (required when NODE_ENV=production)" });
    }
  }
  return problems;
}

function expectedOf(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value") return `one of ${issue.values.map((v) => String(v)).join(" | ")}`;
  if (issue.code === "invalid_format" && issue.format === "url") return "a URL";
  return issue.message.replace(/^Invalid input: /, "");
}

export type Env = z.infer<typeof envSchema>;

export interface Config extends Omit<Env, "BOT_MODE"> {
  BOT_MODE: "webhook" | "polling" | "sandbox";
}

export interface ConfigIssue {
  name: string;
  expected: string;
  got: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(formatConfigIssues(issues));
    this.name = "ConfigError";
  }
}

/** Values that are secrets are never echoed back, even in an error message. */
const SECRET_KEYS = new Set([
  "TELEGRAM_BOT_TOKEN",
  "WEBHOOK_SECRET",
  "LOG_HASH_SECRET",
  "INTERNAL_API_SECRET",
  "ADMIN_TOKEN",
  "TIP_PAYLOAD_SECRET",
  "LLM_API_KEY",
  "DATABASE_URL",
  "REDIS_URL",
]);

function describeGot(name: string, raw: string | undefined): string {
  if (raw === undefined || raw === "") return "(not set)";
  if (SECRET_KEYS.has(name)) return `(hidden, ${raw.length} characters)`;
  return JSON.stringify(raw.length > 60 ? raw.slice(0, 60) + "…" : raw);
}

export function formatConfigIssues(issues: ConfigIssue[]): string {
  const lines = issues.map((i) => `  - ${i.name}: expected ${i.expected}, got ${i.got}`);
  return `Configuration is invalid (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

/**
 * For processes that serve the bot (roles `all` and `api`): the sandbox's control API has no
 * authentication, so it must never run where real people are. `db:migrate` and the worker never start
 * it and need no bot mode. Throws ConfigError in the same readable format.
 */
export function checkServingConfig(config: Config): void {
  if (config.NODE_ENV === "production" && config.BOT_MODE === "sandbox") {
    throw new ConfigError([
      {
        name: "BOT_MODE",
        expected:
          "webhook or polling with TELEGRAM_BOT_TOKEN (the sandbox is a development tool and is refused when NODE_ENV=production)",
        got: JSON.stringify(config.BOT_MODE),
      },
    ]);
  }
}

/** Parses the environment; throws ConfigError listing every problem at once. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, string | undefined> = {};
  for (const key of Object.keys(envSchema.shape ?? {})) {
    const value = source[key];
    // An empty variable in a .env file means "not set", as most tools treat it.
    raw[key] = value === "" ? undefined : value;
  }
  const parsed = envSchema.safeParse(raw);
  const issues: ConfigIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? "(config)");
        return { name, expected: expectedOf(issue), got: describeGot(name, raw[name]) };
      });
  for (const p of checkCombinations(raw)) {
    if (!issues.some((i) => i.name === p.name)) issues.push({ ...p, got: describeGot(p.name, raw[p.name]) });
  }
  if (!parsed.success || issues.length > 0) throw new ConfigError(issues);
  const env = parsed.data;
  return { ...env, BOT_MODE: env.BOT_MODE ?? (env.TELEGRAM_BOT_TOKEN ? "polling" : "sandbox") };
}
