import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startSandbox } from "./helpers.ts";

/**
 * What the emulator remembers. By default everything a chat ever held and the last 20 000 calls; the
 * load stand asks for less (`messageHistory`, `callLog`), so a long run does not grow its own heap.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function userWithMessages(harness: Harness, count: number) {
  const user = await harness.client.user("Вера");
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push((await user.send(`сообщение ${i + 1}`)).message_id);
  return { user, ids };
}

describe("sandbox retention", () => {
  it("keeps every message of a chat by default", async () => {
    h = await startSandbox();
    const { user, ids } = await userWithMessages(h, 6);
    const world = h.sandbox.world;
    const chat = world.chatOf(world.defaultBot(), world.user(user.id));
    expect([...chat.messages.keys()]).toEqual(ids);
  });

  it("forgets the oldest messages beyond messageHistory, as a missing message to Bot API calls", async () => {
    h = await startSandbox({ messageHistory: 3 });
    const { user, ids } = await userWithMessages(h, 5);
    const world = h.sandbox.world;
    const chat = world.chatOf(world.defaultBot(), world.user(user.id));
    expect([...chat.messages.keys()]).toEqual(ids.slice(2));

    const kept = await h.api("copyMessage", { chat_id: user.id, from_chat_id: user.id, message_id: ids[4] });
    expect(kept.body.ok).toBe(true);
    const forgotten = await h.api("copyMessage", {
      chat_id: user.id,
      from_chat_id: user.id,
      message_id: ids[0],
    });
    expect(forgotten.status).toBe(400);
    expect(forgotten.body.description).toBe("Bad Request: message to copy not found");
  });

  it("keeps the last callLog calls and a tenth as many updates", async () => {
    h = await startSandbox({ callLog: 10 });
    await userWithMessages(h, 3);
    for (let i = 0; i < 14; i++) await h.api("getMe");
    const world = h.sandbox.world;
    expect(world.calls).toHaveLength(10);
    const seqs = world.calls.map((c) => c.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(world.calls.every((c) => c.method === "getMe")).toBe(true);
    expect(world.updates).toHaveLength(1);
    expect((world.updates[0]!.update as { message?: { text?: string } }).message?.text).toBe("сообщение 3");
  });
});
