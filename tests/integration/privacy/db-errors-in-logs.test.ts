import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../../src/clock.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createLogger, safeErrorLabel } from "../../../src/logger.ts";
import { createServices } from "../../../src/services/index.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";

describe("database errors in the logs", () => {
  let t: TestDatabase;
  const lines: string[] = [];
  const logger = createLogger({
    level: "trace",
    destination: new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  });
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.destroy().catch(() => {});
  });

  it("a failing write with a nickname, and an outage, are logged as a label and a code", async () => {
    const services = createServices({ db: t.db, infra: createMemoryInfra(), clock: systemClock });
    const tgId = 987654321;
    const user = await services.profiles.acceptRules(tgId);
    const nickname = "Тайный Ёжик Вольдемар";
    // A constraint the write breaks: the driver's message and detail carry the values.
    const failure = await t.db.execute(sql`insert into users (id, tg_id) values (${user.id}, ${tgId})`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    logger.error({ err: failure }, "write failed");
    await t.destroy();
    const outage = await services.profiles.setNickname(user.id, nickname).then(
      () => null,
      (e: unknown) => e,
    );
    expect(outage).toBeInstanceOf(Error);
    logger.error({ err: outage }, "database unreachable");
    const log = lines.join("");
    expect(log).toContain("database error");
    for (const secret of [String(tgId), nickname, "params"]) expect(log).not.toContain(secret);
    expect(safeErrorLabel(outage)).toMatch(/^database error|^Error/);
  });
});
