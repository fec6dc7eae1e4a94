import type { Api } from "grammy";

export interface CopyRecord {
  /** performance.now() when the call reached the transformer. */
  at: number;
  chatId: number;
}

/**
 * An instant fake Bot API, installed as the outermost transformer (`config.use` after everything
 * else, so it sees each call first and nothing below it runs): every method is answered at once like
 * Telegram would for a private chat. copyMessage calls are recorded by `<from_chat_id>:<message_id>`
 * with the moment they were issued; every other method is counted.
 */
export function installInstantTelegram(api: Api) {
  const copies = new Map<string, CopyRecord[]>();
  const otherCalls = new Map<string, number>();
  let messageId = 1_000_000;
  api.config.use(async (_prev, method, payload) => {
    const p = (payload ?? {}) as Record<string, unknown>;
    if (method === "copyMessage") {
      const key = `${p.from_chat_id}:${p.message_id}`;
      const rec = { at: performance.now(), chatId: Number(p.chat_id) };
      const list = copies.get(key);
      if (list) list.push(rec);
      else copies.set(key, [rec]);
      return { ok: true, result: { message_id: ++messageId } } as never;
    }
    otherCalls.set(method, (otherCalls.get(method) ?? 0) + 1);
    if (method === "sendMessage") {
      return {
        ok: true,
        result: {
          message_id: ++messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(p.chat_id), type: "private", first_name: "x" },
          text: String(p.text ?? ""),
        },
      } as never;
    }
    return { ok: true, result: true } as never;
  });
  return { copies, otherCalls };
}
