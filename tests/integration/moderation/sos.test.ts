import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.ts";
import { sosHotlines } from "../../../src/db/schema.ts";
import { createSosService, DEFAULT_SOS_SEED_FILE, type SosService } from "../../../src/services/sos.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";

interface SeedEntry {
  country: string;
  name: string;
  phone: string;
  source: string;
  verified_at: string;
  sort_order?: number;
}
const seedFile = JSON.parse(readFileSync(DEFAULT_SOS_SEED_FILE, "utf8")) as { hotlines: SeedEntry[] };
const MONTH = 30 * 24 * 3600_000;

describe("SOS hotlines", () => {
  let t: TestDatabase;
  let sos: SosService;
  // The day the numbers from the project issue were (to be) checked.
  const clock = createManualClock(new Date("2026-11-23T12:00:00Z"));
  const dir = mkdtempSync(join(tmpdir(), "sos-seed-"));

  beforeAll(async () => {
    t = await createTestDatabase();
    sos = createSosService({ db: t.db, clock });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.destroy();
  });

  it("the seed file is honest: every number has a source, and none claims a check nobody made", () => {
    // Nobody has checked these numbers at their official sources from here (no internet): they all
    // start as never verified, so the admin API lists every one of them until an operator does.
    for (const e of seedFile.hotlines) {
      expect(e.source.trim().length).toBeGreaterThan(10);
      expect(e.verified_at).toBe("2000-01-01");
    }
  });

  it("seeding inserts every entry once and is idempotent, also when replicas seed at the same time", async () => {
    const results = await Promise.all([sos.seedFromFile(), sos.seedFromFile(), sos.seedFromFile()]);
    expect(results.map((r) => r.inserted).reduce((a, b) => a + b, 0)).toBe(seedFile.hotlines.length);
    expect(await sos.seedFromFile()).toEqual({ inserted: 0 });
    const rows = await t.db.select().from(sosHotlines);
    expect(rows).toHaveLength(seedFile.hotlines.length);
    const emergency = rows.find((r) => r.country === "*" && r.phone === "112");
    expect(emergency).toMatchObject({ active: true, verifiedAt: new Date("2000-01-01T00:00:00Z") });
    expect(sos.needsVerification(emergency!)).toBe(true);
  });

  it("a person is shown their country's numbers and the everywhere ones, in display order", async () => {
    const ru = await sos.forCountry("RU");
    expect(ru.map((e) => e.phone)).toEqual(["112", "8-800-2000-122", "051", "8-800-7000-600", "103"]);
    expect(ru.every((e) => e.country === "RU" || e.country === "*")).toBe(true);
    const kz = await sos.forCountry("kz");
    expect(kz.map((e) => `${e.country} ${e.phone}`)).toEqual(["* 112", "KZ 103", "KZ 150"]);
    // Where people moved: a line that listens, marked when it answers in Russian.
    const de = await sos.forCountry("DE");
    expect(de.map((e) => `${e.country} ${e.phone} ${e.kind}`)).toEqual([
      "* 112 emergency",
      "DE 0800 111 0 111 support",
    ]);
    expect((await sos.forCountry("IL")).find((e) => e.phone === "1201")?.russianSpeaking).toBe(true);
    // Countries without their own entries (and garbage) still get 112.
    for (const c of ["FR", "XX", "Россия", "", "R"]) {
      expect((await sos.forCountry(c)).map((e) => e.phone)).toEqual(["112"]);
    }
  });

  it("maps time zones to countries; unknown zones give null", () => {
    const cases: Array<[string, string | null]> = [
      ["Europe/Moscow", "RU"],
      ["Asia/Vladivostok", "RU"],
      ["Europe/Kaliningrad", "RU"],
      ["Europe/Minsk", "BY"],
      ["Asia/Almaty", "KZ"],
      ["Asia/Tashkent", "UZ"],
      ["Asia/Bishkek", "KG"],
      ["Asia/Yerevan", "AM"],
      ["Asia/Tbilisi", "GE"],
      ["Asia/Baku", "AZ"],
      ["Europe/Chisinau", "MD"],
      ["Europe/Kyiv", "UA"],
      ["Europe/Berlin", "DE"],
      ["Asia/Jerusalem", "IL"],
      ["Europe/Belgrade", "RS"],
      ["Mars/Olympus_Mons", null],
      ["", null],
      ["__proto__", null],
      ["constructor", null],
      ["UTC", null],
    ];
    for (const [zone, country] of cases) expect(sos.countryForZone(zone), zone).toBe(country);
  });

  it("entries not verified for 6 months are flagged; verifying clears the flag", async () => {
    const stale = await sos.list({ staleOnly: true });
    // Nothing in the seed was checked by anyone here: all of it waits for an operator.
    expect(stale.map((e) => e.verifiedAt.toISOString().slice(0, 10))).toEqual(
      Array(seedFile.hotlines.length).fill("2000-01-01"),
    );

    const [entry] = await sos.forCountry("BY").then((rows) => rows.filter((r) => r.country === "BY"));
    const res = await sos.markVerified(entry!.id, { source: "МЧС Республики Беларусь, mchs.gov.by" });
    expect(res).toMatchObject({
      ok: true,
      entry: { source: "МЧС Республики Беларусь, mchs.gov.by", verifiedAt: clock.now() },
    });
    expect(sos.needsVerification(res.ok ? res.entry : entry!)).toBe(false);
    expect((await sos.list({ staleOnly: true })).map((e) => e.id)).not.toContain(entry!.id);
    expect(await sos.markVerified(entry!.id, { source: "  " })).toMatchObject({
      ok: false,
      reason: "invalid",
    });
    expect(await sos.markVerified(999_999, { source: "x" })).toEqual({ ok: false, reason: "not_found" });
    // Six months after that check it is flagged again.
    clock.advance(5 * MONTH);
    expect((await sos.list({ staleOnly: true })).map((e) => e.id)).not.toContain(entry!.id);
    clock.advance(2 * MONTH);
    expect((await sos.list({ staleOnly: true })).map((e) => e.id)).toContain(entry!.id);
  });

  it("moderators' edits and removals survive reseeding", async () => {
    const [ambulance] = (await sos.forCountry("UZ")).filter((e) => e.country === "UZ");
    const [emergency] = (await sos.forCountry("UZ")).filter((e) => e.country === "*");
    // Removed: kept inactive, hidden from people, not brought back by the seed.
    expect(await sos.remove(emergency!.id)).toMatchObject({ ok: true, entry: { active: false } });
    // Reformatted, and renamed.
    expect(
      await sos.update(ambulance!.id, { phone: "1 0 3", name: "Скорая помощь (Узбекистан)" }),
    ).toMatchObject({
      ok: true,
    });
    // Number changed: the old number stays behind, inactive.
    const [anna] = (await sos.forCountry("RU")).filter((e) => e.phone === "8-800-7000-600");
    // A new number needs the source it was checked against, and then counts as verified now.
    expect(await sos.update(anna!.id, { phone: "8 800 7000 601" })).toMatchObject({
      ok: false,
      reason: "invalid",
      problems: [{ field: "source" }],
    });
    const changed = await sos.update(anna!.id, { phone: "8 800 7000 601", source: "Сайт центра «АННА»" });
    expect(changed).toMatchObject({
      ok: true,
      entry: { id: anna!.id, phone: "8 800 7000 601", verifiedAt: clock.now() },
    });

    const before = await t.db.select().from(sosHotlines);
    expect(await sos.seedFromFile()).toEqual({ inserted: 0 });
    const after = await t.db.select().from(sosHotlines);
    expect(after).toEqual(before);
    expect((await sos.forCountry("UZ")).map((e) => [e.phone, e.name])).toEqual([
      ["1 0 3", "Скорая помощь (Узбекистан)"],
    ]);
    expect(after.filter((e) => e.phone === "8-800-7000-600").map((e) => e.active)).toEqual([false]);

    // Restoring what was removed.
    expect(await sos.update(emergency!.id, { active: true })).toMatchObject({
      ok: true,
      entry: { active: true },
    });
    expect((await sos.forCountry("UZ")).map((e) => e.phone)).toEqual(["112", "1 0 3"]);
  });

  it("validates what moderators type", async () => {
    const good = {
      country: "GE",
      name: "Тестовая линия",
      phone: "+995 (32) 000-00-00",
      source: "Проверено: example.org",
    };
    for (const [patch, field] of [
      [{ country: "ge" }, "country"],
      [{ country: "GEO" }, "country"],
      [{ country: "**" }, "country"],
      [{ phone: "12" }, "phone"],
      [{ phone: "call-me" }, "phone"],
      [{ phone: "+-()" }, "phone"],
      [{ phone: "1".repeat(65) }, "phone"],
      [{ name: "" }, "name"],
      [{ name: " \u0000 " }, "name"],
      [{ name: "я".repeat(161) }, "name"],
      [{ source: "" }, "source"],
      [{ sortOrder: -1 }, "sortOrder"],
    ] as const) {
      const res = await sos.create({ ...good, ...patch });
      expect(res.ok, JSON.stringify(patch)).toBe(false);
      if (!res.ok && res.reason === "invalid") expect(res.problems.map((p) => p.field)).toContain(field);
    }
    const { source: _s, ...noSource } = good;
    expect(await sos.create(noSource as typeof good)).toMatchObject({ ok: false, reason: "invalid" });

    const created = await sos.create({ ...good, description: "  Круглосуточно\u202E " });
    expect(created).toMatchObject({
      ok: true,
      entry: { country: "GE", description: "Круглосуточно", active: true },
    });
    if (!created.ok) throw new Error("unreachable");
    expect(created.entry.verifiedAt).toEqual(clock.now());
    expect(await sos.create({ ...good, phone: "+995 32 000 00 00" })).toEqual({
      ok: false,
      reason: "duplicate",
    });
    expect(await sos.update(created.entry.id, { country: "*", phone: "112", source: "x" })).toEqual({
      ok: false,
      reason: "duplicate",
    });
    expect(await sos.update(999_999, { name: "x" })).toEqual({ ok: false, reason: "not_found" });
    expect(await sos.remove(999_999)).toEqual({ ok: false, reason: "not_found" });
  });

  it("refuses a broken seed file instead of seeding half of it", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({
        hotlines: [
          { country: "BY", name: "Ок", phone: "101", source: "test", verified_at: "2000-01-01" },
          { country: "by", name: "Плохая страна", phone: "102", source: "test", verified_at: "2000-01-01" },
        ],
      }),
    );
    await expect(sos.seedFromFile(file)).rejects.toThrow(/entry 1: country/);
    writeFileSync(
      file,
      JSON.stringify({ hotlines: [{ country: "BY", name: "Без даты", phone: "101", source: "x" }] }),
    );
    await expect(sos.seedFromFile(file)).rejects.toThrow(/verified_at/);
    expect((await sos.forCountry("BY")).map((e) => e.phone)).not.toContain("101");
  });
});
