import { randomInt } from "node:crypto";
import { badRequest } from "../errors.ts";
import type { MediaKind, MediaValue } from "../files.ts";
import { prepareCaption } from "../limits.ts";
import { Upload } from "../validate.ts";
import {
  type CallContext,
  type Handler,
  replyTarget,
  sendContent,
  targetChat,
  withEntities,
} from "./context.ts";

// Photos, voice, documents and the rest: uploads, file_ids, albums, getFile.

function resolveMedia(ctx: CallContext, kind: MediaKind, input: unknown): MediaValue {
  let ref = input;
  if (typeof ref === "string" && ref.startsWith("attach://")) {
    const upload = ctx.uploads.get(ref.slice("attach://".length));
    if (!upload) throw badRequest(`can't find attached file "${ref.slice(9)}"`);
    ref = upload;
  }
  if (ref instanceof Upload) {
    if (ref.data.length === 0) throw badRequest("file must be non-empty");
    const spec: { file_name?: string; mime_type?: string } = {};
    if (kind !== "photo") spec.file_name = ref.filename;
    if (ref.contentType && ref.contentType !== "application/octet-stream") spec.mime_type = ref.contentType;
    return ctx.world.files.create(kind, spec, ref.data);
  }
  if (typeof ref !== "string" || ref === "")
    throw badRequest(`there is no ${kind.replace("_", " ")} in the request`);
  return ctx.world.files.resolve(ref, kind);
}

function sendMedia(kind: MediaKind): Handler {
  return (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id);
    const value = resolveMedia(ctx, kind, ctx.params[kind]);
    const content: Record<string, unknown> = { [kind]: withMeta(kind, value, ctx.params) };
    if (kind === "animation") content.document = content.animation;
    if (kind !== "sticker" && kind !== "video_note") {
      withEntities(
        content,
        "caption",
        prepareCaption(ctx.params.caption, ctx.params.parse_mode, ctx.params.caption_entities),
      );
    }
    if (ctx.params.has_spoiler === true) content.has_media_spoiler = true;
    return sendContent(ctx, chat, content, kind).msg;
  };
}

function withMeta(kind: MediaKind, value: MediaValue, params: Record<string, unknown>): MediaValue {
  if (Array.isArray(value)) return value;
  const out = { ...value };
  for (const key of ["duration", "width", "height", "title", "performer", "length"]) {
    if (params[key] !== undefined && (kind !== "photo" || key === "width")) out[key] = params[key];
  }
  if (kind === "sticker" && typeof params.emoji === "string") out.emoji = params.emoji;
  return out;
}

export const mediaMethods: Record<string, Handler> = {
  sendPhoto: sendMedia("photo"),
  sendVideo: sendMedia("video"),
  sendVoice: sendMedia("voice"),
  sendVideoNote: sendMedia("video_note"),
  sendAudio: sendMedia("audio"),
  sendDocument: sendMedia("document"),
  sendSticker: sendMedia("sticker"),
  sendAnimation: sendMedia("animation"),
  sendMediaGroup: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id);
    const items = ctx.params.media as Record<string, unknown>[];
    const groupId = `${randomInt(1_000_000, 9_999_999)}${randomInt(1_000_000_000, 9_999_999_999)}`;
    const prepared = items.map((item) => {
      const kind = item.type as MediaKind;
      const content: Record<string, unknown> = {
        [kind]: resolveMedia(ctx, kind, item.media),
        media_group_id: groupId,
      };
      withEntities(content, "caption", prepareCaption(item.caption, item.parse_mode, item.caption_entities));
      if (item.has_spoiler === true) content.has_media_spoiler = true;
      return { kind, content };
    });
    const replyTo = replyTarget(ctx, chat);
    return prepared.map(
      ({ kind, content }) =>
        ctx.world.addMessage(ctx.bot, chat, "bot", content, {
          mediaKind: kind,
          ...(replyTo !== undefined ? { replyTo } : {}),
        }).msg,
    );
  },
  getFile: ({ world, params }) => {
    const file = world.files.get(String(params.file_id));
    if (!file) throw badRequest("invalid file_id");
    return {
      file_id: file.fileId,
      file_unique_id: file.fileUniqueId,
      file_size: file.size,
      file_path: file.path,
    };
  },
};
