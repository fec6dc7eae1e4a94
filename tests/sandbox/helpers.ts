import { Bot } from "grammy";
import { createSandbox, type Sandbox, SandboxClient, type SandboxOptions } from "../../sandbox/index.ts";

export interface Harness {
  sandbox: Sandbox;
  client: SandboxClient;
  /** A raw Bot API call, to assert Telegram's exact wire answers. */
  api(
    method: string,
    params?: Record<string, unknown>,
    token?: string,
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Harness> {
  const sandbox = await createSandbox(opts);
  const client = new SandboxClient(sandbox.url);
  return {
    sandbox,
    client,
    async api(method, params = {}, token = sandbox.token) {
      const res = await fetch(`${sandbox.apiRoot}/bot${token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(params),
      });
      return { status: res.status, body: await res.json() };
    },
    close: () => sandbox.close(),
  };
}

/** A real grammY bot polling the sandbox; `setup` registers its handlers. */
export function startBot(
  sandbox: Sandbox,
  setup: (bot: Bot) => void,
  token = sandbox.token,
): { bot: Bot; stop(): Promise<void> } {
  const bot = new Bot(token, { client: { apiRoot: sandbox.apiRoot } });
  setup(bot);
  bot.catch((err) => {
    console.error("bot error", err.error);
  });
  const running = bot.start({ timeout: 1, drop_pending_updates: false });
  return {
    bot,
    async stop() {
      await bot.stop();
      await running.catch(() => undefined);
    },
  };
}

/** A user who has started the bot, so the bot may message them. */
export async function startedUser(h: Harness, name = "Алиса") {
  const user = await h.client.user(name);
  await user.send("/start");
  return user;
}
