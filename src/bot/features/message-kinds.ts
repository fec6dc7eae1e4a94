import type { Message } from "grammy/types";

/** What copyMessage can carry; anything else is either a service message or cannot be copied. */
export const RELAYABLE = [
  "text",
  "photo",
  "video",
  "voice",
  "video_note",
  "sticker",
  "animation",
  "document",
  "audio",
  "dice",
  "poll",
] as const;
/** Content a person sent on purpose that Telegram does not let a bot copy: they are told. */
export const NOT_COPYABLE = ["paid_media", "invoice", "giveaway", "giveaway_winners", "game"] as const;

/**
 * Everything a message says, including what hides behind ordinary words: `text_link` addresses, a
 * poll's question and options. The safety screen and the contact nudge read this, not just `text`.
 */
export function screenableText(
  msg: Pick<Message, "text" | "caption" | "entities" | "caption_entities" | "poll">,
): string | undefined {
  const parts: string[] = [];
  const body = msg.text ?? msg.caption;
  if (body !== undefined) parts.push(body);
  for (const e of [...(msg.entities ?? []), ...(msg.caption_entities ?? [])])
    if (e.type === "text_link") parts.push(e.url);
  if (msg.poll) parts.push(msg.poll.question, ...msg.poll.options.map((o) => o.text));
  return parts.length > 0 ? parts.join("\n") : undefined;
}

/** An image sent as a document (JPEG, HEIC, TIFF, PNG…): its metadata travels with it. */
export function isImageFile(msg: Message): boolean {
  const doc = msg.document;
  if (!doc) return false;
  return (
    (doc.mime_type ?? "").startsWith("image/") ||
    /\.(jpe?g|heic|heif|tiff?|png|webp|dng)$/i.test(doc.file_name ?? "")
  );
}
