import type { MediaKind, MediaSpec } from "./files.ts";
import type { CallbackAnswer, CallRecord, ChatEntry, FaultSpec, PaymentResult, TgUser } from "./types.ts";

export interface ExpectOptions {
  /** Default: the client's defaultTimeoutMs (5000). */
  timeoutMs?: number;
}

export type MessageMatcher = RegExp | string | ((entry: ChatEntry) => boolean);

export class SandboxRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
  }
}

/** Typed client of the sandbox control API, for tests and scripts. */
export class SandboxClient {
  readonly url: string;
  readonly defaultTimeoutMs: number;
  private readonly bot: string | undefined;

  constructor(url: string, opts: { bot?: string; defaultTimeoutMs?: number } = {}) {
    this.url = url.replace(/\/+$/, "");
    this.bot = opts.bot;
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 5_000;
  }

  /** @internal */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string> = {},
  ): Promise<T> {
    const params = new URLSearchParams(query);
    if (this.bot) params.set("bot", this.bot);
    const qs = params.toString();
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { "content-type": "application/json" };
    }
    const res = await fetch(`${this.url}/sandbox${path}${qs ? `?${qs}` : ""}`, init);
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const message = (parsed as { error?: { message?: string } } | undefined)?.error?.message ?? text;
      throw new SandboxRequestError(res.status, parsed, `${method} ${path} → ${res.status}: ${message}`);
    }
    return parsed as T;
  }

  /** Creates a simulated person (Russian by default) and returns a handle to act as them. */
  async user(
    firstName: string,
    extra: { last_name?: string; username?: string; language_code?: string } = {},
  ): Promise<SandboxUserHandle> {
    const info = await this.request<TgUser>("POST", "/users", { first_name: firstName, ...extra });
    return new SandboxUserHandle(this, info);
  }

  /** A handle for an existing person. */
  async existingUser(id: number): Promise<SandboxUserHandle> {
    const info = await this.request<TgUser & { last_message_id: number }>("GET", `/users/${id}`);
    const handle = new SandboxUserHandle(this, info);
    handle.cursor = info.last_message_id;
    return handle;
  }

  users(): Promise<TgUser[]> {
    return this.request("GET", "/users");
  }

  /** Bot API calls the bot made, oldest first; optionally one method and only after `since` (a seq). */
  calls(method?: string, since?: number): Promise<CallRecord[]> {
    const q: Record<string, string> = {};
    if (method) q.method = method;
    if (since !== undefined) q.since = String(since);
    return this.request("GET", "/calls", undefined, q);
  }

  async clearCalls(): Promise<void> {
    await this.request("DELETE", "/calls");
  }

  /** Makes the next `count` calls of `method` ("*" = any) fail and/or take `latency_ms` longer. */
  async fault(spec: FaultSpec): Promise<void> {
    await this.request("POST", "/faults", spec);
  }

  async clearFaults(): Promise<void> {
    await this.request("DELETE", "/faults");
  }

  async reset(): Promise<void> {
    await this.request("POST", "/reset");
  }

  botInfo(): Promise<TgUser & { commands: { command: string; description: string }[]; webhook: unknown }> {
    return this.request("GET", "/bot");
  }
}

const entryText = (e: ChatEntry): string =>
  e.text ?? e.caption ?? (e.invoice ? `${e.invoice.title}\n${e.invoice.description}` : "");

function matches(entry: ChatEntry, matcher: MessageMatcher): boolean {
  if (typeof matcher === "function") return matcher(entry);
  const text = entryText(entry);
  return typeof matcher === "string" ? text.includes(matcher) : matcher.test(text);
}

/** One simulated person. Waiting helpers long-poll the control API; they never sleep. */
export class SandboxUserHandle {
  /** Bot messages up to this id are "old": expectMessage looks only at newer ones. */
  cursor = 0;

  constructor(
    readonly client: SandboxClient,
    readonly info: TgUser,
  ) {}

  get id(): number {
    return this.info.id;
  }

  get firstName(): string {
    return this.info.first_name;
  }

  private path(suffix: string): string {
    return `/users/${this.info.id}${suffix}`;
  }

  private advance(id: number | undefined): void {
    if (typeof id === "number" && id > this.cursor) this.cursor = id;
  }

  private async sendRaw(body: Record<string, unknown>): Promise<{ message_id: number }> {
    const res = await this.client.request<{ message_id: number; cursor: number }>(
      "POST",
      this.path("/messages"),
      body,
    );
    this.advance(res.message_id);
    return { message_id: res.message_id };
  }

  /** Sends text (a leading "/command" gets a bot_command entity). */
  send(text: string, opts: { replyTo?: number } = {}): Promise<{ message_id: number }> {
    return this.sendRaw({ text, ...(opts.replyTo ? { reply_to_message_id: opts.replyTo } : {}) });
  }

  /** Forwards a message of this chat (usually one the bot delivered) back to the bot. */
  forward(messageId: number): Promise<{ message_id: number }> {
    return this.sendRaw({ forward_message_id: messageId });
  }

  /** Pins a message of this chat; the bot gets Telegram's `pinned_message` service message. */
  pin(messageId: number): Promise<{ message_id: number }> {
    return this.sendRaw({ pin_message_id: messageId });
  }

  sendDice(emoji?: "🎲" | "🎯" | "🏀" | "⚽" | "🎳" | "🎰"): Promise<{ message_id: number }> {
    return this.sendRaw({ dice: emoji ? { emoji } : {} });
  }

  sendVenue(venue: { latitude: number; longitude: number; title: string; address: string }) {
    return this.sendRaw({ venue });
  }

  sendMedia(
    kind: MediaKind,
    spec: MediaSpec = {},
    opts: { caption?: string; replyTo?: number; mediaGroupId?: string } = {},
  ): Promise<{ message_id: number }> {
    const body: Record<string, unknown> = { [kind]: spec };
    if (opts.caption) body.caption = opts.caption;
    if (opts.replyTo) body.reply_to_message_id = opts.replyTo;
    if (opts.mediaGroupId) body.media_group_id = opts.mediaGroupId;
    return this.sendRaw(body);
  }

  sendPhoto(spec: MediaSpec = {}, opts: { caption?: string; replyTo?: number } = {}) {
    return this.sendMedia("photo", spec, opts);
  }

  sendVoice(spec: MediaSpec = {}, opts: { caption?: string; replyTo?: number } = {}) {
    return this.sendMedia("voice", spec, opts);
  }

  sendContact(contact: { phone_number: string; first_name: string; last_name?: string }) {
    return this.sendRaw({ contact });
  }

  sendLocation(latitude: number, longitude: number) {
    return this.sendRaw({ location: { latitude, longitude } });
  }

  async edit(messageId: number, text: string): Promise<void> {
    await this.client.request("POST", this.path("/edits"), { message_id: messageId, text });
  }

  /**
   * Presses a button: by its text (the newest bot message that has it, else the reply keyboard),
   * or `{message_id, data}` to forge any callback. Resolves with the bot's answerCallbackQuery.
   */
  async click(
    button: string | { message_id: number; data?: string; button_text?: string },
    opts: ExpectOptions = {},
  ): Promise<CallbackAnswer & { sent_message_id?: number; status?: string }> {
    const body: Record<string, unknown> =
      typeof button === "string" ? { button_text: button } : { ...button };
    const timeoutMs = opts.timeoutMs ?? this.client.defaultTimeoutMs;
    body.timeout_ms = timeoutMs;
    // A button the bot is about to show (its message is still on the way) is waited for, like a
    // person waits for the keyboard to appear; any other refusal is final.
    const deadline = Date.now() + timeoutMs;
    let res: CallbackAnswer & { cursor: number; sent_message_id?: number };
    for (;;) {
      try {
        res = await this.client.request<CallbackAnswer & { cursor: number; sent_message_id?: number }>(
          "POST",
          this.path("/clicks"),
          body,
        );
        break;
      } catch (err) {
        const waiting =
          typeof button === "string" &&
          err instanceof SandboxRequestError &&
          err.status === 404 &&
          Date.now() < deadline;
        if (!waiting) throw err;
        await this.client.request("GET", this.path("/chat"), undefined, {
          after: String(this.cursor),
          wait_ms: String(Math.min(100, Math.max(0, deadline - Date.now()))),
        });
      }
    }
    this.advance(res.cursor);
    this.advance(res.sent_message_id);
    const { cursor: _cursor, ...answer } = res;
    return answer;
  }

  /** Pays the latest invoice (or `message_id`) with Stars. */
  async pay(opts: { message_id?: number; timeoutMs?: number } = {}): Promise<PaymentResult> {
    const body: Record<string, unknown> = {};
    if (opts.message_id) body.message_id = opts.message_id;
    if (opts.timeoutMs) body.timeout_ms = opts.timeoutMs;
    const res = await this.client.request<PaymentResult & { cursor: number }>(
      "POST",
      this.path("/pay"),
      body,
    );
    this.advance(res.cursor);
    this.advance(res.message_id);
    const { cursor: _cursor, ...result } = res;
    return result;
  }

  async block(): Promise<void> {
    await this.client.request("POST", this.path("/block"));
  }

  async unblock(): Promise<void> {
    await this.client.request("POST", this.path("/unblock"));
  }

  /** The chat as Telegram shows it to this person (edits applied, deletions flagged). */
  chat(after = 0): Promise<ChatEntry[]> {
    return this.client.request("GET", this.path("/chat"), undefined, { after: String(after) });
  }

  async lastBotMessage(): Promise<ChatEntry | undefined> {
    const entries = await this.chat();
    return entries.filter((e) => e.from === "bot" && !e.deleted).at(-1);
  }

  /**
   * Waits for a NEW bot message (newer than the last action or the last matched message) whose text,
   * caption or invoice matches; returns it and moves the cursor past it.
   */
  async expectMessage(matcher: MessageMatcher, opts: ExpectOptions = {}): Promise<ChatEntry> {
    const timeoutMs = opts.timeoutMs ?? this.client.defaultTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    let scan = this.cursor;
    const seen: ChatEntry[] = [];
    for (;;) {
      const remaining = deadline - Date.now();
      const entries = await this.client.request<ChatEntry[]>("GET", this.path("/chat"), undefined, {
        after: String(scan),
        wait_ms: String(Math.max(0, remaining)),
      });
      for (const entry of entries) {
        if (entry.from !== "bot" || entry.deleted) continue;
        if (matches(entry, matcher)) {
          this.advance(entry.message_id);
          return entry;
        }
        seen.push(entry);
      }
      const last = entries.at(-1);
      if (last) scan = Math.max(scan, last.message_id);
      if (Date.now() >= deadline) {
        const recent = seen
          .slice(-5)
          .map((e) => `#${e.message_id} ${JSON.stringify(entryText(e).slice(0, 120))}`)
          .join("; ");
        throw new Error(
          `${this.firstName}: no new bot message matching ${String(matcher)} within ${timeoutMs} ms` +
            (recent ? `; new bot messages were: ${recent}` : "; the bot sent nothing new"),
        );
      }
    }
  }
}
