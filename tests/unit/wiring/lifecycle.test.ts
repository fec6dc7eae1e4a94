import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.ts";
import { createLifecycle } from "../../../src/wiring/lifecycle.ts";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, logger: createLogger({ level: "info", destination: destination as never }) };
}

describe("the process lifecycle", () => {
  it("stops what started in reverse order", async () => {
    const { logger } = capture();
    const life = createLifecycle(logger);
    const order: string[] = [];
    for (const name of ["database", "infra", "bot", "http", "ingress"])
      life.started(name, () => order.push(name));
    await life.stop();
    expect(order).toEqual(["ingress", "http", "bot", "infra", "database"]);
  });

  it("a failing stop is logged and the others still stop", async () => {
    const { logger, lines } = capture();
    const life = createLifecycle(logger);
    const order: string[] = [];
    life.started("database", () => order.push("database"));
    life.started("http", async () => {
      throw new Error("close failed");
    });
    life.started("workers", () => order.push("workers"));
    await life.stop();
    expect(order).toEqual(["workers", "database"]);
    expect(lines.join("")).toMatch(/"part":"http".*stopping failed/);
  });

  it("stops once, however often it is asked (SIGTERM twice, a failed start-up and a signal)", async () => {
    const { logger } = capture();
    const life = createLifecycle(logger);
    let stops = 0;
    life.started("database", async () => {
      await new Promise((r) => setTimeout(r, 10));
      stops++;
    });
    await Promise.all([life.stop(), life.stop(), life.stop()]);
    await life.stop();
    expect(stops).toBe(1);
  });
});
