import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake answers to the next requests. */
export type FakeBehaviour =
  /** A normal completion whose message content is `JSON.stringify({ hints })` (or `content` verbatim). */
  | { kind: "hints"; hints: ReadonlyArray<{ type: string; text: string }>; tokens?: number; delayMs?: number }
  | { kind: "content"; content: string; tokens?: number; delayMs?: number }
  /** Never answers (until the client gives up or the server closes). */
  | { kind: "hang" }
  /** An HTTP error with the OpenAI error body. */
  | { kind: "error"; status: number }
  /** A 200 whose body is not JSON at all. */
  | { kind: "garbage" };

export interface CapturedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  /** The raw body as received. */
  raw: string;
  /** Parsed JSON body (null when not JSON). */
  body: {
    model?: string;
    messages?: Array<{ role: string; content: string }>;
    response_format?: { type: string };
    [k: string]: unknown;
  } | null;
}

export interface FakeOpenAi {
  /** e.g. http://127.0.0.1:PORT/v1 — pass as the provider's baseUrl. */
  baseUrl: string;
  requests: CapturedRequest[];
  /** Sets the behaviour for every following request. */
  respond(behaviour: FakeBehaviour): void;
  /** Queues behaviours for the next requests, then falls back to the `respond` one. */
  queue(...behaviours: FakeBehaviour[]): void;
  close(): Promise<void>;
}

/**
 * A local server speaking the OpenAI chat-completions wire format (`POST /v1/chat/completions`), so the
 * real SDK and provider run in tests against it. It records every request body.
 */
export async function startFakeOpenAi(
  initial: FakeBehaviour = { kind: "hints", hints: [] },
): Promise<FakeOpenAi> {
  let current = initial;
  const queued: FakeBehaviour[] = [];
  const requests: CapturedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let counter = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: CapturedRequest["body"] = null;
      try {
        body = JSON.parse(raw) as CapturedRequest["body"];
      } catch {
        body = null;
      }
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, raw, body });
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "not found", type: "invalid_request_error" } }));
        return;
      }
      const behaviour = queued.shift() ?? current;
      answer(behaviour, body, res);
    });
  });

  function answer(b: FakeBehaviour, body: CapturedRequest["body"], res: ServerResponse): void {
    if (b.kind === "hang") {
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    if (b.kind === "error") {
      res.writeHead(b.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "fake failure", type: "server_error", code: null } }));
      return;
    }
    if (b.kind === "garbage") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("<html>definitely not json");
      return;
    }
    const content = b.kind === "hints" ? JSON.stringify({ hints: b.hints }) : b.content;
    const tokens = b.tokens ?? 100;
    const payload = {
      id: `chatcmpl-fake-${++counter}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: body?.model ?? "fake",
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop", logprobs: null }],
      usage: { prompt_tokens: tokens - 20, completion_tokens: 20, total_tokens: tokens },
    };
    const send = () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    if (b.delayMs) setTimeout(send, b.delayMs);
    else send();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    respond(b) {
      current = b;
    },
    queue(...bs) {
      queued.push(...bs);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
