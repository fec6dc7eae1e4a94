import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FluentResource } from "@fluent/bundle";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../../src/bot/commands.ts";
import { createI18n } from "../../../src/bot/create-bot.ts";
import { SOS_COUNTRIES } from "../../../src/bot/features/crisis.ts";
import type { TipsFeatureDeps } from "../../../src/bot/features/tips.ts";
import { WINDOWS } from "../../../src/domain/availability.ts";
import type { BioRejection } from "../../../src/domain/bio.ts";
import type { HintType } from "../../../src/domain/coach/types.ts";
import type { NicknameRejection } from "../../../src/domain/nickname.ts";
import { CHECK_IN_ANSWERS } from "../../../src/services/check-ins.ts";
import type { LimitReason } from "../../../src/services/coach/metrics.ts";
import type {
  EvidenceOrigin,
  ModerationService,
  ReportReason,
} from "../../../src/services/moderation/index.ts";
import type { Missing, ProfileService, Purpose } from "../../../src/services/profile.ts";
import type { CreateTipRejection } from "../../../src/services/tips/index.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const LOCALE_DIR = join(ROOT, "src/bot/locales/ru");
const BOT_DIR = join(ROOT, "src/bot");

// biome-ignore lint/suspicious/noExplicitAny: any function's failure reasons
type FailReason<F extends (...args: any[]) => any> = Extract<Awaited<ReturnType<F>>, { ok: false }>["reason"];
/** A `Record<Union, true>` fails to typecheck when the union gains a member the table lacks. */
const members = <K extends string | number>(all: Record<K, true>): string[] => Object.keys(all);

/**
 * Keys built at run time (`weight-${w}`): every member of the union the code passes in must have a
 * text. Unions come from the code's own types, so a new reason without a text fails typecheck here.
 */
const FAMILIES: Record<string, string[]> = {
  "appeal-error": members<FailReason<ModerationService["appeal"]>>({
    not_found: true,
    not_sanctioned: true,
    empty_text: true,
    text_too_long: true,
    already_appealed: true,
  }),
  "bio-error": members<BioRejection>({
    too_long: true,
    phone: true,
    email: true,
    link: true,
    username: true,
    card: true,
    invisible: true,
  }),
  // The profile card's edit buttons (keyboards/profile.ts).
  "btn-edit": [
    "nickname",
    "timezone",
    "topics",
    "bio",
    "purpose",
    "sensitivity",
    "availability",
    "proposals",
    "digest",
    "wishlist",
  ],
  "check-in-answer": [...CHECK_IN_ANSWERS],
  cmd: [...COMMANDS],
  "coach-hint": members<HintType>({ empathy: true, question: true, boundary: true }),
  "coach-limited": members<LimitReason>({ hourly_cap: true, daily_budget: true, disabled: true }),
  "coach-status-on": ["model", "library"],
  "coach-status-off": ["model", "library"],
  country: [...SOS_COUNTRIES],
  "evidence-origin": members<EvidenceOrigin>({ conversation: true, self: true, elsewhere: true }),
  missing: members<Missing>({ rules: true, nickname: true, timezone: true, topics: true }),
  "nickname-error": members<NicknameRejection>({
    too_short: true,
    too_long: true,
    bad_chars: true,
    link: true,
    at_sign: true,
    phone: true,
    invisible: true,
    reserved: true,
  }),
  purpose: members<Purpose>({ support: true, advice: true, friendship: true }),
  "report-error": members<FailReason<ModerationService["report"]>>({
    bad_reason: true,
    comment_too_long: true,
    no_peer: true,
    already_reported: true,
    other_chat: true,
    rate_limited: true,
  }),
  "report-reason": members<ReportReason>({ spam: true, abuse: true, danger: true, other: true }),
  sensitivity: ["1", "2", "3"],
  "tips-error": members<CreateTipRejection>({
    no_session: true,
    expired: true,
    not_participant: true,
    peer_gone: true,
    invalid_amount: true,
    busy: true,
  }),
  "tips-policy": members<TipsFeatureDeps["payoutPolicy"]>({ manual: true, platform: true }),
  "tips-receipt-policy": members<TipsFeatureDeps["payoutPolicy"]>({ manual: true, platform: true }),
  "tips-thanks-policy": members<TipsFeatureDeps["payoutPolicy"]>({ manual: true, platform: true }),
  "topics-error": members<FailReason<ProfileService["setTopics"]>>({
    too_few: true,
    too_many: true,
    unknown_topic: true,
    bad_weight: true,
  }),
  // The toxicity labels a withheld message can name (features/safety/deps.ts, TOXIC_LABELS).
  "toxic-what": ["insult", "obscene", "harassment", "sexual_demand", "threat", "hate"],
  weight: ["1", "2", "3"],
  window: [...WINDOWS],
  "wishlist-error": members<FailReason<ProfileService["setWishlist"]>>({
    too_many: true,
    unknown_topic: true,
  }),
};

function ftlFiles(): string[] {
  return readdirSync(LOCALE_DIR).filter((f) => f.endsWith(".ftl"));
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

function localeKeys(): Set<string> {
  const keys = new Set<string>();
  for (const f of ftlFiles()) {
    for (const entry of new FluentResource(readFileSync(join(LOCALE_DIR, f), "utf8")).body)
      keys.add(entry.id);
  }
  return keys;
}

const botSources = [...tsFiles(BOT_DIR), join(ROOT, "src/app.ts")].map((path) => ({
  path,
  text: readFileSync(path, "utf8"),
}));

describe("Russian locale", () => {
  it("every .ftl file parses completely: no entry is dropped as a syntax error", () => {
    for (const f of ftlFiles()) {
      const text = readFileSync(join(LOCALE_DIR, f), "utf8");
      // Every line that starts at column 0 and is not a comment begins an entry.
      const declared = text.match(/^[^\s#]/gm)?.length ?? 0;
      const parsed = new FluentResource(text).body.length;
      expect(parsed, f).toBe(declared);
    }
  });

  it("no key is defined twice across the files", () => {
    const seen = new Map<string, string>();
    for (const f of ftlFiles()) {
      for (const entry of new FluentResource(readFileSync(join(LOCALE_DIR, f), "utf8")).body) {
        expect(seen.get(entry.id), `${entry.id} in ${f}`).toBeUndefined();
        seen.set(entry.id, f);
      }
    }
  });

  it("every key the bot names literally exists", () => {
    const keys = localeKeys();
    const missing: string[] = [];
    for (const { path, text } of botSources) {
      // In bot/ every kebab-case literal is a key; app.ts passes keys only through i18n.t("ru", …).
      const pattern = path.endsWith("app.ts")
        ? /i18n\.t\(\s*"ru",\s*"([a-z][a-z0-9_-]*)"/g
        : /"([a-z][a-z0-9]*(?:-[a-z0-9_]+)+)"/g;
      for (const m of text.matchAll(pattern)) if (!keys.has(m[1]!)) missing.push(`${m[1]} (${path})`);
    }
    expect(missing).toEqual([]);
  });

  it("every key family built at run time is known to this test and complete", () => {
    const keys = localeKeys();
    const prefixes = new Set<string>();
    for (const { text } of botSources) {
      for (const m of text.matchAll(/`([a-z][a-z0-9]*(?:-[a-z0-9_]+)*)-\$\{/g)) prefixes.add(m[1]!);
    }
    prefixes.delete("worker"); // app.ts: a job name, not a text
    expect([...prefixes].filter((p) => !(p in FAMILIES))).toEqual([]);
    const missing = Object.entries(FAMILIES).flatMap(([prefix, all]) =>
      all.map((m) => `${prefix}-${m}`).filter((k) => !keys.has(k)),
    );
    expect(missing).toEqual([]);
  });

  it("/help lists every command of the menu and /export and /appeal, and never itself", () => {
    const i18n = createI18n();
    for (const coach of ["yes", "no"]) {
      const help = i18n.t("ru", "help", { coach });
      const listed = COMMANDS.filter((c) => c !== "help" && (c !== "coach" || coach === "yes"));
      for (const c of [...listed, "export", "appeal"]) expect(help, c).toMatch(new RegExp(`^/${c} — `, "m"));
      expect(help).not.toMatch(/\/help/);
      if (coach === "no") expect(help).not.toMatch(/\/coach/);
    }
  });
});
