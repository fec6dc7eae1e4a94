/** Behaviour specific to the in-process implementation and to picking an implementation. */
import { describe, expect, it } from "vitest";
import { createInfra } from "../../../src/infra/create-infra.ts";
import { createMemoryInfra, STREAM_MAX_LENGTH } from "../../../src/infra/memory.ts";

describe("memory infra", () => {
  it("caps a stream near STREAM_MAX_LENGTH like XADD MAXLEN ~, dropping the oldest entries", async () => {
    const infra = createMemoryInfra();
    await infra.stream.ensureGroup("big", "g");
    const first = await infra.stream.add("big", { n: "0" });
    for (let i = 1; i <= STREAM_MAX_LENGTH + 5_000; i++) await infra.stream.add("big", { n: String(i) });
    const length = await infra.stream.length("big");
    expect(length).toBeGreaterThanOrEqual(STREAM_MAX_LENGTH);
    expect(length).toBeLessThanOrEqual(STREAM_MAX_LENGTH + 1_000);
    // The group's cursor moves past trimmed entries: the first read starts at the oldest kept one.
    const [oldest] = await infra.stream.read("big", "g", "c", { count: 1, blockMs: 0 });
    expect(oldest?.id).not.toBe(first);
    expect(Number(oldest?.fields.n)).toBe(STREAM_MAX_LENGTH + 5_001 - length);
    await infra.close();
  });

  it("ids stay increasing when the injected clock stands still or goes back", async () => {
    let t = 1_000_000;
    const infra = createMemoryInfra({ now: () => t });
    const a = await infra.stream.add("s", { x: "1" });
    const b = await infra.stream.add("s", { x: "2" });
    t -= 500;
    const c = await infra.stream.add("s", { x: "3" });
    expect([a, b, c]).toEqual(["1000000-0", "1000000-1", "1000000-2"]);
    await infra.close();
  });

  it("entries are copied, so a caller mutating its object does not change the stream", async () => {
    const infra = createMemoryInfra();
    await infra.stream.ensureGroup("s", "g");
    const fields = { a: "1" };
    await infra.stream.add("s", fields);
    fields.a = "changed";
    const [entry] = await infra.stream.read("s", "g", "c", { count: 1, blockMs: 0 });
    expect(entry?.fields).toEqual({ a: "1" });
    await infra.close();
  });
});

describe("createInfra", () => {
  // The Redis branch is covered by the contract suite, whose Redis target is built through createInfra.
  it("is in-process without a Redis URL", async () => {
    const infra = await createInfra({});
    expect(infra.kind).toBe("memory");
    expect(await infra.ping()).toBe(true);
    await infra.close();
  });

  it("fails fast on an unreachable Redis", async () => {
    await expect(createInfra({ redisUrl: "redis://127.0.0.1:1", prefix: "x" })).rejects.toThrow();
  });
});
