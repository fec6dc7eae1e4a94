import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RawEvent, SandboxEvent } from "../types.ts";
import type { World } from "../world.ts";

/** `GET /sandbox/events`: the live stream (SSE) the playground and tests subscribe to. */
export function registerEventStream(app: FastifyInstance, world: World): void {
  app.get("/events", (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 1000\n\n");
    const send = (event: SandboxEvent | RawEvent) => {
      res.write(`data: ${JSON.stringify(event)}\n\n`);
    };
    // `?raw=1`: also every Bot API call and queued update (the playground's developer panel).
    const raw = (request.query as { raw?: string }).raw;
    const wantsRaw = raw !== undefined && raw !== "0" && raw !== "false";
    const heartbeat = setInterval(() => res.write(": ping\n\n"), 15_000);
    const end = () => {
      clearInterval(heartbeat);
      world.events.off("event", send);
      world.events.off("raw", send);
      world.events.off("close", end);
      if (!res.writableEnded) res.end();
    };
    world.events.on("event", send);
    if (wantsRaw) world.events.on("raw", send);
    world.events.once("close", end);
    request.raw.socket.once("close", end);
  });
}
