import type { Transformer } from "grammy";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createOutgoing, type Outgoing } from "../../../src/bot/outgoing.ts";

type Prev = Parameters<Transformer>[0];

interface Call {
  method: string;
  chat: unknown;
  tag: unknown;
  at: number;
}

/**
 * A fake Bot API under the transformers: records when each call started; a call can be made slow
 * (resolves when the test says so) or answered with a 429.
 */
function fakeApi() {
  const calls: Call[] = [];
  const holds = new Map<unknown, () => void>();
  const floods = new Map<unknown, number>();
  const prev = (async (method: string, payload: Record<string, unknown>) => {
    calls.push({ method, chat: payload?.chat_id, tag: payload?.tag, at: Date.now() });
    if (floods.has(payload?.tag)) {
      const retry = floods.get(payload.tag);
      floods.delete(payload.tag);
      return {
        ok: false,
        error_code: 429,
        description: "Too Many Requests",
        parameters: { retry_after: retry },
      };
    }
    if (payload?.hold) await new Promise<void>((r) => holds.set(payload.tag, r));
    return { ok: true, result: true };
  }) as unknown as Prev;
  return { calls, holds, floods, prev };
}

function stack(outgoing: Outgoing, prev: Prev) {
  const inner = ((m: string, p: unknown) =>
    outgoing.floodObserver(prev, m as never, p as never)) as unknown as Prev;
  return (method: string, payload: Record<string, unknown>) =>
    outgoing.transformer(inner, method as never, payload as never);
}

describe("outgoing pacing", () => {
  let outgoing: Outgoing;
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    outgoing?.close();
    vi.useRealTimers();
  });

  it("lets a chat take a short burst, then spaces its calls to the average rate", async () => {
    outgoing = createOutgoing({ perChatMinMs: 1000, perChatBurst: 3, bulkPerSecond: 25 });
    const api = fakeApi();
    const call = stack(outgoing, api.prev);
    const all = Array.from({ length: 6 }, (_, i) => call("sendMessage", { chat_id: 7, tag: i }));
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(all);
    expect(api.calls.map((c) => c.tag)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(api.calls.map((c) => c.at)).toEqual([0, 0, 0, 3000, 3000, 3000]);
  });

  it("chat actions keep their place among messages but take no slot", async () => {
    outgoing = createOutgoing({ perChatMinMs: 1000, perChatBurst: 3, bulkPerSecond: 25 });
    const api = fakeApi();
    const call = stack(outgoing, api.prev);
    const all = [
      call("sendMessage", { chat_id: 7, tag: "m1" }),
      call("sendChatAction", { chat_id: 7, tag: "a1" }),
      call("copyMessage", { chat_id: 7, tag: "m2" }),
      call("sendMessage", { chat_id: 7, tag: "m3" }),
      call("sendChatAction", { chat_id: 7, tag: "a2" }),
      call("sendPhoto", { chat_id: 7, tag: "m4" }),
    ];
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(all);
    expect(api.calls.map((c) => c.tag)).toEqual(["m1", "a1", "m2", "m3", "a2", "m4"]);
    // Three messages go at once; the fourth waits for the window; the chat action before it does not.
    expect(api.calls.map((c) => c.at)).toEqual([0, 0, 0, 0, 0, 3000]);
  });

  it("edits and deletions never wait behind the chat's messages, and keep their own order", async () => {
    outgoing = createOutgoing({ perChatMinMs: 1000, perChatBurst: 3, bulkPerSecond: 25 });
    const api = fakeApi();
    const call = stack(outgoing, api.prev);
    // A slow message in flight and a fourth one waiting for the window: the keyboard still goes at once.
    const slow = call("sendMessage", { chat_id: 7, tag: "m1", hold: true });
    const queued = [2, 3, 4].map((i) => call("sendMessage", { chat_id: 7, tag: `m${i}` }));
    const e1 = call("editMessageText", { chat_id: 7, tag: "e1", hold: true });
    const e2 = call("editMessageText", { chat_id: 7, tag: "e2" });
    const d1 = call("deleteMessage", { chat_id: 7, tag: "d1" });
    await vi.advanceTimersByTimeAsync(0);
    expect(api.calls.map((c) => c.tag)).toEqual(["m1", "e1"]);
    // The second edit of the same chat waits for the first: two edits of one message apply in order.
    api.holds.get("e1")?.();
    await Promise.all([e1, e2, d1]);
    expect(api.calls.map((c) => c.tag)).toEqual(["m1", "e1", "e2", "d1"]);
    api.holds.get("m1")?.();
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all([slow, ...queued]);
    expect(api.calls.filter((c) => c.method === "sendMessage").map((c) => [c.tag, c.at])).toEqual([
      ["m1", 0],
      ["m2", 0],
      ["m3", 0],
      ["m4", 3000],
    ]);
  });

  it("keeps one chat's order even when an earlier call is slow, without holding other chats", async () => {
    outgoing = createOutgoing({ perChatMinMs: 0, perChatBurst: 3, bulkPerSecond: 25 });
    const api = fakeApi();
    const call = stack(outgoing, api.prev);
    const first = call("sendMessage", { chat_id: 1, tag: "a1", hold: true });
    const second = call("sendMessage", { chat_id: 1, tag: "a2" });
    const other = call("sendMessage", { chat_id: 2, tag: "b1" });
    await vi.advanceTimersByTimeAsync(50);
    await other;
    expect(api.calls.map((c) => c.tag)).toEqual(["a1", "b1"]);
    api.holds.get("a1")?.();
    await Promise.all([first, second]);
    expect(api.calls.map((c) => c.tag)).toEqual(["a1", "b1", "a2"]);
  });

  it("a failed call does not stop the chat's later calls", async () => {
    outgoing = createOutgoing({ perChatMinMs: 0, perChatBurst: 3, bulkPerSecond: 25 });
    const prev = (async (_m: string, p: Record<string, unknown>) => {
      if (p.tag === "boom") throw new Error("network down");
      return { ok: true, result: p.tag };
    }) as unknown as Prev;
    const call = stack(outgoing, prev);
    const failed = call("sendMessage", { chat_id: 1, tag: "boom" });
    const next = call("sendMessage", { chat_id: 1, tag: "after" });
    await expect(failed).rejects.toThrow("network down");
    await expect(next).resolves.toMatchObject({ ok: true, result: "after" });
  });

  it("holds a group chat to 20 messages a minute", async () => {
    outgoing = createOutgoing({ perChatMinMs: 0, perChatBurst: 3, bulkPerSecond: 25 });
    const api = fakeApi();
    const call = stack(outgoing, api.prev);
    const all = Array.from({ length: 25 }, (_, i) => call("sendMessage", { chat_id: -100123, tag: i }));
    await vi.advanceTimersByTimeAsync(59_000);
    expect(api.calls).toHaveLength(20);
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all(all);
    expect(api.calls).toHaveLength(25);
    expect(api.calls[20]?.at).toBe(60_000);
  });

  it("bulk work shares one per-second budget across chats; replies to people do not wait for it", async () => {
    outgoing = createOutgoing({ perChatMinMs: 0, perChatBurst: 3, bulkPerSecond: 25 });
    const api = fakeApi();
    const call = stack(outgoing, api.prev);
    const bulk = outgoing.bulk(() =>
      Promise.all(
        Array.from({ length: 60 }, (_, i) => call("sendMessage", { chat_id: 1000 + i, tag: `bulk${i}` })),
      ),
    );
    const replies = Array.from({ length: 40 }, (_, i) =>
      call("sendMessage", { chat_id: 5000 + i, tag: `r${i}` }),
    );
    await vi.advanceTimersByTimeAsync(0);
    await Promise.all(replies);
    expect(api.calls.filter((c) => String(c.tag).startsWith("r"))).toHaveLength(40);
    expect(api.calls.filter((c) => String(c.tag).startsWith("bulk"))).toHaveLength(25);
    await vi.advanceTimersByTimeAsync(3_000);
    await bulk;
    const bulkStarts = api.calls.filter((c) => String(c.tag).startsWith("bulk")).map((c) => c.at);
    expect(bulkStarts).toHaveLength(60);
    for (const t of bulkStarts)
      expect(bulkStarts.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(25);
  });

  it("a 429 during bulk work pauses all bulk work for retry_after", async () => {
    const waits: Array<[string, number]> = [];
    outgoing = createOutgoing({
      perChatMinMs: 0,
      perChatBurst: 3,
      bulkPerSecond: 25,
      onFloodWait: (lane, ms) => waits.push([lane, ms]),
    });
    const api = fakeApi();
    api.floods.set("bulk0", 5);
    const call = stack(outgoing, api.prev);
    const results = outgoing.bulk(async () => {
      const first = await call("sendMessage", { chat_id: 1, tag: "bulk0" });
      const next = await call("sendMessage", { chat_id: 2, tag: "bulk1" });
      return [first, next];
    });
    await vi.advanceTimersByTimeAsync(4_900);
    expect(api.calls.map((c) => c.tag)).toEqual(["bulk0"]);
    await vi.advanceTimersByTimeAsync(200);
    const [first, next] = await results;
    expect(first).toMatchObject({ ok: false, error_code: 429 });
    expect(next).toMatchObject({ ok: true });
    expect(api.calls.map((c) => [c.tag, c.at])).toEqual([
      ["bulk0", 0],
      ["bulk1", 5000],
    ]);
    expect(waits).toEqual([["bulk", 5000]]);
  });

  it("calls without a chat pass straight through, and idle chats are forgotten", async () => {
    outgoing = createOutgoing({ perChatMinMs: 1000, perChatBurst: 1, bulkPerSecond: 25 });
    const api = fakeApi();
    const call = stack(outgoing, api.prev);
    await call("answerCallbackQuery", { callback_query_id: "x", tag: "cb1" });
    await call("answerCallbackQuery", { callback_query_id: "y", tag: "cb2" });
    expect(api.calls.map((c) => c.at)).toEqual([0, 0]);
    await call("sendMessage", { chat_id: 1, tag: "m" });
    expect(outgoing.trackedChats()).toBe(1);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(outgoing.trackedChats()).toBe(0);
  });
});
