import type { FastifyInstance } from "fastify";
import { ControlError } from "../errors.ts";
import type { World } from "../world.ts";

/** Content types the playground may show inline; anything else is served as a download. */
const INLINE_TYPES =
  /^(image\/(png|jpeg|gif|webp)|audio\/[a-z0-9.+-]+|video\/(mp4|webm)|text\/plain|application\/(json|pdf))$/;

const TYPE_BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  oga: "audio/ogg",
  ogg: "audio/ogg",
  mp3: "audio/mpeg",
  json: "application/json",
  pdf: "application/pdf",
  txt: "text/plain",
};

/** A file's bytes, for the playground to show a photo, play a voice message or open a document. */
export function registerFileRoute(app: FastifyInstance, world: World): void {
  app.get("/files/:fileId", async (request, reply) => {
    const { fileId } = request.params as { fileId: string };
    const file = world.files.content(fileId);
    if (!file) throw new ControlError(404, "file_not_found", `no file with id ${fileId}`);
    if (!file.data) {
      throw new ControlError(404, "no_content", "this file was simulated: nobody uploaded its bytes");
    }
    const ext = file.fileName ? /\.([A-Za-z0-9]{1,8})$/.exec(file.fileName)?.[1]?.toLowerCase() : undefined;
    const given = file.mimeType && file.mimeType !== "application/octet-stream" ? file.mimeType : undefined;
    const type = (
      given ??
      (ext ? TYPE_BY_EXTENSION[ext] : undefined) ??
      "application/octet-stream"
    ).toLowerCase();
    const download =
      (request.query as { download?: string }).download !== undefined || !INLINE_TYPES.test(type);
    const name = encodeURIComponent(file.fileName ?? fileId);
    return (
      reply
        .header(
          "content-type",
          type.startsWith("text/") || type === "application/json" ? `${type}; charset=utf-8` : type,
        )
        .header("content-disposition", `${download ? "attachment" : "inline"}; filename*=UTF-8''${name}`)
        // Bytes anyone uploaded must not run as a page of the sandbox's origin.
        .header("content-security-policy", "sandbox; default-src 'none'; img-src 'self'; media-src 'self'")
        .header("x-content-type-options", "nosniff")
        .send(file.data)
    );
  });
}
