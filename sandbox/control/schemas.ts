import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { ControlError } from "../errors.ts";
import { toInt } from "../util.ts";

// The control API's inputs: zod schemas for bodies, and the checks of ids and query parameters.

export const userInput = z.object({
  first_name: z.string().trim().min(1).max(64),
  last_name: z.string().max(64).optional(),
  username: z
    .string()
    .regex(/^[A-Za-z0-9_]{5,32}$/)
    .optional(),
  language_code: z.string().min(2).max(10).optional(),
});

const mediaSpec = z
  .object({
    file_id: z.string().optional(),
    file_name: z.string().max(255).optional(),
    mime_type: z.string().max(255).optional(),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
    duration: z.number().int().nonnegative().optional(),
    length: z.number().int().positive().optional(),
    emoji: z.string().optional(),
    title: z.string().optional(),
    performer: z.string().optional(),
    file_size: z.number().int().positive().optional(),
    /** A real file (the playground's upload): base64 of at most 20 MB. */
    data_base64: z.string().min(1).max(28_000_000).optional(),
  })
  .strict();

export const messageInput = z
  .object({
    /** Forward a message of this chat back to the bot (as a person forwards evidence). */
    forward_message_id: z.number().int().positive().optional(),
    /** Pin a message of this chat: the bot gets the `pinned_message` service message. */
    pin_message_id: z.number().int().positive().optional(),
    text: z.string().optional(),
    caption: z.string().max(1024).optional(),
    photo: mediaSpec.optional(),
    video: mediaSpec.optional(),
    voice: mediaSpec.optional(),
    video_note: mediaSpec.optional(),
    audio: mediaSpec.optional(),
    document: mediaSpec.optional(),
    sticker: mediaSpec.optional(),
    animation: mediaSpec.optional(),
    contact: z.record(z.string(), z.unknown()).optional(),
    location: z.record(z.string(), z.unknown()).optional(),
    venue: z.record(z.string(), z.unknown()).optional(),
    dice: z
      .object({ emoji: z.enum(["🎲", "🎯", "🏀", "⚽", "🎳", "🎰"]).optional() })
      .strict()
      .optional(),
    reply_to_message_id: z.number().int().positive().optional(),
    media_group_id: z.string().max(64).optional(),
  })
  .strict();

export const editInput = z.object({
  message_id: z.number().int().positive(),
  text: z.string().min(1).max(4096),
});

export const clickInput = z
  .object({
    message_id: z.number().int().positive().optional(),
    data: z.string().optional(),
    button_text: z.string().min(1).optional(),
    timeout_ms: z.number().int().positive().max(120_000).optional(),
  })
  .refine((v) => v.button_text !== undefined || (v.message_id !== undefined && v.data !== undefined), {
    message: "give {message_id, data} or {button_text}",
  });

export const payInput = z.object({
  message_id: z.number().int().positive().optional(),
  timeout_ms: z.number().int().positive().max(120_000).optional(),
});

export const faultInput = z
  .object({
    method: z.string().min(1).max(64),
    error_code: z.number().int().min(400).max(599).optional(),
    count: z.number().int().positive().optional(),
    retry_after: z.number().int().positive().optional(),
    latency_ms: z.number().int().nonnegative().max(120_000).optional(),
    description: z.string().max(512).optional(),
  })
  .refine((f) => f.error_code !== undefined || f.latency_ms !== undefined, {
    message: "give error_code and/or latency_ms",
  });

export function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    throw new ControlError(400, "bad_input", `${where}${issue?.message ?? "invalid input"}`);
  }
  return result.data;
}

/** `?limit=N`: the last N records; absent = all. */
export function limitOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = toInt(value);
  if (n === undefined || n < 1 || n > 20_000) {
    throw new ControlError(400, "bad_input", "limit must be an integer from 1 to 20000");
  }
  return n;
}

export const lastOf = <T>(items: T[], limit: number | undefined): T[] =>
  limit === undefined ? items : items.slice(-limit);

export function userId(request: FastifyRequest): number {
  const id = toInt((request.params as { id: string }).id);
  if (id === undefined) throw new ControlError(400, "bad_input", "user id must be a positive integer");
  return id;
}
