import { readFile } from "node:fs/promises";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { sosHotlines } from "../db/schema.ts";
import type { KeyValue } from "../infra/ports.ts";
import { cleanText } from "./moderation/index.ts";

/** An entry not checked at its source for this long is flagged for moderators. */
export const SOS_STALE_AFTER_MONTHS = 6;
export const DEFAULT_SOS_SEED_FILE = new URL("../db/seed/sos.json", import.meta.url);
/** Shown in every country. */
export const EVERYWHERE = "*";

export type SosEntry = typeof sosHotlines.$inferSelect;

export interface SosInput {
  country: string;
  name: string;
  phone: string;
  description?: string | null;
  hours?: string | null;
  source: string;
  sortOrder?: number;
  active?: boolean;
  kind?: SosKind;
  russianSpeaking?: boolean;
}

export const SOS_KINDS = ["emergency", "support"] as const;
export type SosKind = (typeof SOS_KINDS)[number];

export interface FieldProblem {
  field: string;
  message: string;
}

export type SosWriteResult =
  | { ok: true; entry: SosEntry }
  | { ok: false; reason: "invalid"; problems: FieldProblem[] }
  | { ok: false; reason: "not_found" | "duplicate" };

/**
 * IANA zone → ISO country for the places our people live: Russia and the CIS, and where people
 * moved. Zones shared by disputed territories are left out on purpose (the caller falls back).
 */
const ZONE_COUNTRY: Record<string, string> = {
  ...Object.fromEntries(
    [
      "Europe/Moscow",
      "Europe/Kaliningrad",
      "Europe/Samara",
      "Europe/Volgograd",
      "Europe/Saratov",
      "Europe/Ulyanovsk",
      "Europe/Astrakhan",
      "Europe/Kirov",
      "Asia/Yekaterinburg",
      "Asia/Omsk",
      "Asia/Novosibirsk",
      "Asia/Barnaul",
      "Asia/Tomsk",
      "Asia/Novokuznetsk",
      "Asia/Krasnoyarsk",
      "Asia/Irkutsk",
      "Asia/Chita",
      "Asia/Yakutsk",
      "Asia/Khandyga",
      "Asia/Vladivostok",
      "Asia/Ust-Nera",
      "Asia/Magadan",
      "Asia/Sakhalin",
      "Asia/Srednekolymsk",
      "Asia/Kamchatka",
      "Asia/Anadyr",
      "W-SU",
    ].map((z) => [z, "RU"]),
  ),
  "Europe/Minsk": "BY",
  ...Object.fromEntries(
    [
      "Asia/Almaty",
      "Asia/Qyzylorda",
      "Asia/Qostanay",
      "Asia/Aqtobe",
      "Asia/Aqtau",
      "Asia/Atyrau",
      "Asia/Oral",
    ].map((z) => [z, "KZ"]),
  ),
  "Asia/Tashkent": "UZ",
  "Asia/Samarkand": "UZ",
  "Asia/Bishkek": "KG",
  "Asia/Dushanbe": "TJ",
  "Asia/Ashgabat": "TM",
  "Asia/Yerevan": "AM",
  "Asia/Tbilisi": "GE",
  "Asia/Baku": "AZ",
  "Europe/Chisinau": "MD",
  "Europe/Tiraspol": "MD",
  "Europe/Kyiv": "UA",
  "Europe/Kiev": "UA",
  "Europe/Uzhgorod": "UA",
  "Europe/Zaporozhye": "UA",
  "Europe/Vilnius": "LT",
  "Europe/Riga": "LV",
  "Europe/Tallinn": "EE",
  "Europe/Helsinki": "FI",
  "Europe/Warsaw": "PL",
  "Europe/Prague": "CZ",
  "Europe/Berlin": "DE",
  "Europe/Vienna": "AT",
  "Europe/Zurich": "CH",
  "Europe/Amsterdam": "NL",
  "Europe/Brussels": "BE",
  "Europe/Paris": "FR",
  "Europe/London": "GB",
  "Europe/Dublin": "IE",
  "Europe/Madrid": "ES",
  "Atlantic/Canary": "ES",
  "Europe/Lisbon": "PT",
  "Europe/Rome": "IT",
  "Europe/Budapest": "HU",
  "Europe/Sofia": "BG",
  "Europe/Bucharest": "RO",
  "Europe/Belgrade": "RS",
  "Europe/Podgorica": "ME",
  "Europe/Istanbul": "TR",
  "Asia/Istanbul": "TR",
  "Asia/Nicosia": "CY",
  "Europe/Nicosia": "CY",
  "Asia/Famagusta": "CY",
  "Asia/Jerusalem": "IL",
  "Asia/Tel_Aviv": "IL",
  "Asia/Dubai": "AE",
  "Asia/Bangkok": "TH",
  "Asia/Ho_Chi_Minh": "VN",
  "Asia/Makassar": "ID",
  "Asia/Colombo": "LK",
  "Asia/Kolkata": "IN",
  "America/New_York": "US",
  "America/Chicago": "US",
  "America/Denver": "US",
  "America/Phoenix": "US",
  "America/Los_Angeles": "US",
  "America/Anchorage": "US",
  "Pacific/Honolulu": "US",
  "America/Toronto": "CA",
  "America/Vancouver": "CA",
  "America/Argentina/Buenos_Aires": "AR",
  "America/Sao_Paulo": "BR",
  "America/Mexico_City": "MX",
};

const COUNTRY_RE = /^([A-Z]{2}|\*)$/;
const PHONE_RE = /^[0-9 +\-()]{3,64}$/;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

function validate(input: Partial<SosInput>, partial: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const need = (field: keyof SosInput) => !partial || input[field] !== undefined;
  if (need("country") && (typeof input.country !== "string" || !COUNTRY_RE.test(input.country))) {
    problems.push({ field: "country", message: "ISO 3166-1 alpha-2 in capitals, or *" });
  }
  if (need("phone")) {
    const phone = typeof input.phone === "string" ? input.phone.trim() : "";
    if (!PHONE_RE.test(phone) || (phone.match(/\d/g)?.length ?? 0) < 3) {
      problems.push({
        field: "phone",
        message: "3–64 characters: digits, spaces, + - ( ); at least 3 digits",
      });
    }
  }
  const text = (field: keyof SosInput, min: number, max: number, nullable: boolean) => {
    if (!need(field)) return;
    const value = input[field];
    if (value === null && nullable) return;
    if (value === undefined && nullable && !partial) return;
    const clean = typeof value === "string" ? cleanText(value) : "";
    const length = [...clean].length;
    if (typeof value !== "string" || length < min || length > max) {
      problems.push({ field, message: `${min}–${max} characters` });
    }
  };
  text("name", 1, 160, false);
  text("source", 1, 400, false);
  text("description", 1, 400, true);
  text("hours", 1, 64, true);
  if (
    input.sortOrder !== undefined &&
    (!Number.isInteger(input.sortOrder) || input.sortOrder < 0 || input.sortOrder > 1000)
  ) {
    problems.push({ field: "sortOrder", message: "integer 0–1000" });
  }
  if (input.active !== undefined && typeof input.active !== "boolean") {
    problems.push({ field: "active", message: "boolean" });
  }
  if (input.kind !== undefined && !SOS_KINDS.includes(input.kind)) {
    problems.push({ field: "kind", message: "emergency or support" });
  }
  if (input.russianSpeaking !== undefined && typeof input.russianSpeaking !== "boolean") {
    problems.push({ field: "russianSpeaking", message: "boolean" });
  }
  return problems;
}

const optionalText = (value: string | null | undefined) =>
  value == null ? null : cleanText(value) === "" ? null : cleanText(value);

/** A new entry's text columns, cleaned, and its defaults (the seed and a moderator's create). */
const entryColumns = (input: SosInput) => ({
  country: input.country,
  name: cleanText(input.name),
  phone: input.phone.trim(),
  description: optionalText(input.description),
  hours: optionalText(input.hours),
  source: cleanText(input.source),
  sortOrder: input.sortOrder ?? 0,
  kind: input.kind ?? "support",
  russianSpeaking: input.russianSpeaking ?? false,
});

/** Digits only: "8-800-2000-122" and "8 800 2000 122" are the same number. */
const phoneKey = (phone: string) => phone.replace(/\D/g, "");

/**
 * Crisis and emergency numbers by country, editable by moderators. Every entry carries its source
 * and the date it was last verified; entries older than 6 months are flagged. Removing an entry
 * only deactivates it, so the seed never brings back a number a moderator took out.
 */
export function createSosService(deps: {
  db: Db;
  clock: Clock;
  /** Remembers who reported which number today (without it every report counts). */
  kv?: KeyValue;
}) {
  const { db, clock } = deps;

  function staleBefore(at: Date): Date {
    const d = new Date(at.getTime());
    d.setUTCMonth(d.getUTCMonth() - SOS_STALE_AFTER_MONTHS);
    return d;
  }

  const service = {
    /** Older than 6 months by the clock (or by `at`). */
    needsVerification(entry: Pick<SosEntry, "verifiedAt">, at: Date = clock.now()): boolean {
      return entry.verifiedAt < staleBefore(at);
    },

    /**
     * Inserts the file's entries that are missing (by country and the phone's digits, active or not);
     * existing rows are left exactly as moderators made them. Safe on every start, by every replica.
     */
    async seedFromFile(path: string | URL = DEFAULT_SOS_SEED_FILE): Promise<{ inserted: number }> {
      const parsed = JSON.parse(await readFile(path, "utf8")) as { hotlines?: unknown };
      if (!Array.isArray(parsed.hotlines)) throw new Error("sos seed: `hotlines` must be an array");
      const rows = parsed.hotlines.map((raw, i) => {
        const e = raw as Record<string, unknown>;
        const input: SosInput = {
          country: e.country as string,
          name: e.name as string,
          phone: e.phone as string,
          description: (e.description as string | undefined) ?? null,
          hours: (e.hours as string | undefined) ?? null,
          source: e.source as string,
          sortOrder: (e.sort_order as number | undefined) ?? 0,
          kind: (e.kind as SosKind | undefined) ?? "support",
          russianSpeaking: (e.russian_speaking as boolean | undefined) ?? false,
        };
        const problems = validate(input, false);
        if (typeof e.verified_at !== "string" || !DAY_RE.test(e.verified_at)) {
          problems.push({ field: "verified_at", message: "YYYY-MM-DD" });
        }
        if (problems.length > 0) {
          throw new Error(
            `sos seed entry ${i}: ${problems.map((p) => `${p.field} ${p.message}`).join("; ")}`,
          );
        }
        return {
          ...entryColumns(input),
          verifiedAt: new Date(`${e.verified_at as string}T00:00:00Z`),
          active: true,
          updatedAt: clock.now(),
        };
      });
      return db.transaction(async (tx) => {
        // Replicas starting together take turns; the second sees the first one's rows.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext('sos_hotlines_seed'))`);
        const existing = await tx
          .select({ country: sosHotlines.country, phone: sosHotlines.phone })
          .from(sosHotlines);
        const known = new Set(existing.map((r) => `${r.country}|${phoneKey(r.phone)}`));
        const missing = rows.filter((r) => !known.has(`${r.country}|${phoneKey(r.phone)}`));
        if (missing.length === 0) return { inserted: 0 };
        const inserted = await tx
          .insert(sosHotlines)
          .values(missing)
          .onConflictDoNothing()
          .returning({ id: sosHotlines.id });
        return { inserted: inserted.length };
      });
    },

    /** What a person in `country` is shown: that country's active entries and the everywhere ones, in display order. */
    async forCountry(country: string): Promise<SosEntry[]> {
      const code = country.trim().toUpperCase();
      const countries = /^[A-Z]{2}$/.test(code) ? [code, EVERYWHERE] : [EVERYWHERE];
      return db
        .select()
        .from(sosHotlines)
        .where(and(eq(sosHotlines.active, true), inArray(sosHotlines.country, countries)))
        .orderBy(
          asc(sosHotlines.sortOrder),
          sql`case when ${sosHotlines.country} = ${EVERYWHERE} then 1 else 0 end`,
          asc(sosHotlines.id),
        );
    },

    /** ISO country of a time zone, or null when unknown (the bot falls back to RU). */
    countryForZone(zone: string): string | null {
      return Object.hasOwn(ZONE_COUNTRY, zone) ? (ZONE_COUNTRY[zone] ?? null) : null;
    },

    /** Every entry (inactive too) for moderators; `staleOnly` = not verified within 6 months. */
    async list(opts: { staleOnly?: boolean } = {}): Promise<SosEntry[]> {
      const all = await db
        .select()
        .from(sosHotlines)
        .orderBy(asc(sosHotlines.country), asc(sosHotlines.sortOrder), asc(sosHotlines.id));
      const now = clock.now();
      return opts.staleOnly ? all.filter((e) => service.needsVerification(e, now)) : all;
    },

    async get(id: number): Promise<SosEntry | null> {
      const [row] = await db.select().from(sosHotlines).where(eq(sosHotlines.id, id));
      return row ?? null;
    },

    /** A new entry counts as verified now: the moderator adding it names the source they checked. */
    async create(input: SosInput): Promise<SosWriteResult> {
      const problems = validate(input, false);
      if (problems.length > 0) return { ok: false, reason: "invalid", problems };
      const now = clock.now();
      return db.transaction(async (tx): Promise<SosWriteResult> => {
        if (await sameNumberExists(tx, input.country, input.phone, null))
          return { ok: false, reason: "duplicate" };
        const [row] = await tx
          .insert(sosHotlines)
          .values({
            ...entryColumns(input),
            verifiedAt: now,
            active: input.active ?? true,
            updatedAt: now,
          })
          .onConflictDoNothing()
          .returning();
        return row ? { ok: true, entry: row } : { ok: false, reason: "duplicate" };
      });
    },

    /**
     * Changes fields. When the number itself changes (country or phone), the moderator must name the
     * source they checked the new number against, and the entry counts as verified now; an inactive
     * copy of the old one stays behind so the seed does not bring the old number back.
     */
    async update(id: number, patch: Partial<SosInput>): Promise<SosWriteResult> {
      const problems = validate(patch, true);
      if (problems.length > 0) return { ok: false, reason: "invalid", problems };
      const now = clock.now();
      return db.transaction(async (tx): Promise<SosWriteResult> => {
        const [old] = await tx.select().from(sosHotlines).where(eq(sosHotlines.id, id)).for("update");
        if (!old) return { ok: false, reason: "not_found" };
        const country = patch.country ?? old.country;
        const phone = patch.phone !== undefined ? patch.phone.trim() : old.phone;
        const numberChanged = country !== old.country || phoneKey(phone) !== phoneKey(old.phone);
        if (numberChanged && patch.source === undefined) {
          return {
            ok: false,
            reason: "invalid",
            problems: [{ field: "source", message: "a new number needs the source it was checked against" }],
          };
        }
        if (numberChanged && (await sameNumberExists(tx, country, phone, id))) {
          return { ok: false, reason: "duplicate" };
        }
        const [row] = await tx
          .update(sosHotlines)
          .set({
            country,
            phone,
            ...(patch.name !== undefined ? { name: cleanText(patch.name) } : {}),
            ...(patch.description !== undefined ? { description: optionalText(patch.description) } : {}),
            ...(patch.hours !== undefined ? { hours: optionalText(patch.hours) } : {}),
            ...(patch.source !== undefined ? { source: cleanText(patch.source) } : {}),
            ...(patch.sortOrder !== undefined ? { sortOrder: patch.sortOrder } : {}),
            ...(patch.active !== undefined ? { active: patch.active } : {}),
            ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
            ...(patch.russianSpeaking !== undefined ? { russianSpeaking: patch.russianSpeaking } : {}),
            ...(numberChanged ? { verifiedAt: now } : {}),
            updatedAt: now,
          })
          .where(eq(sosHotlines.id, id))
          .returning();
        if (!row) return { ok: false, reason: "not_found" };
        if (numberChanged) {
          const { id: _oldId, ...rest } = old;
          await tx
            .insert(sosHotlines)
            .values({ ...rest, active: false, updatedAt: now })
            .onConflictDoNothing();
        }
        return { ok: true, entry: row };
      });
    },

    /** Takes an entry out of what people see; kept inactive so the seed does not re-add it. */
    async remove(id: number): Promise<SosWriteResult> {
      const [row] = await db
        .update(sosHotlines)
        .set({ active: false, updatedAt: clock.now() })
        .where(eq(sosHotlines.id, id))
        .returning();
      return row ? { ok: true, entry: row } : { ok: false, reason: "not_found" };
    },

    /**
     * Someone in the bot said this number did not work: counted until an operator verifies the entry
     * again (the console lists such entries first). Once per person, entry and day.
     */
    async reportProblem(id: number, reporterKey: string): Promise<"recorded" | "already" | "not_found"> {
      const now = clock.now();
      const [entry] = await db.select({ id: sosHotlines.id }).from(sosHotlines).where(eq(sosHotlines.id, id));
      if (!entry) return "not_found";
      const fresh = deps.kv
        ? await deps.kv.setIfAbsent(`sos-problem:${id}:${reporterKey}`, "1", 24 * 3600_000)
        : true;
      if (!fresh) return "already";
      await db
        .update(sosHotlines)
        .set({ problemReports: sql`${sosHotlines.problemReports} + 1`, problemReportedAt: now })
        .where(eq(sosHotlines.id, id));
      return "recorded";
    },

    /** A moderator checked the number at `source` today (problem reports start again from zero). */
    async markVerified(id: number, input: { source: string }): Promise<SosWriteResult> {
      const problems = validate({ source: input.source }, true);
      if (typeof input.source !== "string") problems.push({ field: "source", message: "required" });
      if (problems.length > 0) return { ok: false, reason: "invalid", problems };
      const now = clock.now();
      const [row] = await db
        .update(sosHotlines)
        .set({ source: cleanText(input.source), verifiedAt: now, updatedAt: now, problemReports: 0 })
        .where(eq(sosHotlines.id, id))
        .returning();
      return row ? { ok: true, entry: row } : { ok: false, reason: "not_found" };
    },
  };

  async function sameNumberExists(tx: Db, country: string, phone: string, exceptId: number | null) {
    const rows = await tx
      .select({ id: sosHotlines.id, phone: sosHotlines.phone })
      .from(sosHotlines)
      .where(eq(sosHotlines.country, country));
    return rows.some((r) => r.id !== exceptId && phoneKey(r.phone) === phoneKey(phone));
  }

  return service;
}

export type SosService = ReturnType<typeof createSosService>;
