import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { callMethod } from "./methods.ts";
import { Upload } from "./validate.ts";
import type { World } from "./world.ts";

const UNAUTHORIZED = { ok: false, error_code: 401, description: "Unauthorized" };
const NOT_FOUND = { ok: false, error_code: 404, description: "Not Found" };

/** `POST|GET /bot<token>/<method>` in Telegram's wire format (JSON, urlencoded or multipart bodies). */
export async function botApiPlugin(app: FastifyInstance, opts: { world: World }): Promise<void> {
  const { world } = opts;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    done(null, parseJsonLenient(String(body)));
  });
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, _body, done) => done(null, {}));
  await app.register(multipart, {
    limits: { fileSize: 50 * 1024 * 1024, files: 20, fields: 1000, parts: 1100 },
  });

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const { token, method } = request.params as { token: string; method: string };
    const bot = world.botFor(token);
    if (!bot) return reply.code(401).send(UNAUTHORIZED);
    if (!method) return reply.code(404).send(NOT_FOUND);
    const raw: Record<string, unknown> = { ...(request.query as Record<string, unknown>) };
    const uploads = new Map<string, Upload>();
    if (request.isMultipart()) {
      try {
        for await (const part of request.parts()) {
          if (part.type === "file") {
            uploads.set(
              part.fieldname,
              new Upload(part.filename || part.fieldname, await part.toBuffer(), part.mimetype),
            );
          } else {
            raw[part.fieldname] = part.value;
          }
        }
      } catch (err) {
        return reply.code(400).send({
          ok: false,
          error_code: 400,
          description: `Bad Request: can't parse multipart body: ${(err as Error).message}`,
        });
      }
    } else if (request.body && typeof request.body === "object" && !Array.isArray(request.body)) {
      Object.assign(raw, request.body);
    }
    const onDisconnect = (cb: () => void) => {
      reply.raw.once("close", () => {
        if (!reply.raw.writableEnded) cb();
      });
    };
    const outcome = await callMethod(world, bot, method, raw, uploads, onDisconnect);
    return reply.code(outcome.status).header("content-type", "application/json").send(outcome.body);
  };

  app.route({ method: ["GET", "POST"], url: "/bot:token/:method", handler: handle });
  app.route({ method: ["GET", "POST"], url: "/bot:token/", handler: handle });

  // File downloads, like https://api.telegram.org/file/bot<token>/<file_path>.
  app.get("/file/bot:token/*", async (request, reply) => {
    const { token } = request.params as { token: string };
    if (!world.botFor(token)) return reply.code(401).send(UNAUTHORIZED);
    const path = (request.params as Record<string, string>)["*"] ?? "";
    const file = world.files.byPath(path);
    if (!file) return reply.code(404).send(NOT_FOUND);
    return reply
      .header("content-type", "application/octet-stream")
      .send(file.data ?? Buffer.from(`sandbox placeholder for ${file.fileId}\n`));
  });
}

function parseJsonLenient(body: string): Record<string, unknown> {
  if (body.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
