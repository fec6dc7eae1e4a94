import { badRequest } from "./errors.ts";
import type { FormattedText, MessageEntity } from "./formatting/entities.ts";
import { parseHtml } from "./formatting/html.ts";
import { parseMarkdownLegacy } from "./formatting/markdown.ts";
import { parseMarkdownV2 } from "./formatting/markdown-v2.ts";

// The parsers live in ./formatting/, one per parse_mode; these re-exports keep `./formatting.ts` the import.
export type { FormattedText, MessageEntity } from "./formatting/entities.ts";
export { parseHtml } from "./formatting/html.ts";
export { parseMarkdownLegacy } from "./formatting/markdown.ts";
export { parseMarkdownV2 } from "./formatting/markdown-v2.ts";

/**
 * Turns text + parse_mode (or explicit entities) into what Telegram stores: the plain text and its
 * entities, with surrounding whitespace trimmed like Telegram does. Malformed markup throws 400.
 */
export function formatText(text: string, parseMode: unknown, entities: unknown): FormattedText {
  let parsed: FormattedText;
  const mode = typeof parseMode === "string" ? parseMode : "";
  if (mode === "") {
    parsed = { text, entities: Array.isArray(entities) ? (entities as MessageEntity[]) : [] };
  } else if (mode.toLowerCase() === "html") {
    parsed = parseHtml(text);
  } else if (mode.toLowerCase() === "markdownv2") {
    parsed = parseMarkdownV2(text);
  } else if (mode.toLowerCase() === "markdown") {
    parsed = parseMarkdownLegacy(text);
  } else {
    throw badRequest(`unsupported parse_mode`);
  }
  return withCommandEntities(trimFormatted(parsed));
}

/** Entities inside which Telegram does not look for commands. */
const OPAQUE = new Set([
  "code",
  "pre",
  "url",
  "text_link",
  "email",
  "mention",
  "text_mention",
  "custom_emoji",
]);

/**
 * Telegram's server finds `/command` (and `/command@bot`) in a bot's text by itself, without parse_mode,
 * and clients draw it as a tappable command: add those bot_command entities, ordered by offset.
 */
export function withCommandEntities({ text, entities }: FormattedText): FormattedText {
  const found: MessageEntity[] = [];
  const re = /(^|[\s([{«"',;:—–-])(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)(?![A-Za-z0-9_@/])/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const offset = m.index + m[1]!.length;
    const length = m[2]!.length;
    const covered = entities.some(
      (e) =>
        (OPAQUE.has(e.type) || e.type === "bot_command") &&
        e.offset < offset + length &&
        offset < e.offset + e.length,
    );
    if (!covered) found.push({ type: "bot_command", offset, length });
  }
  if (found.length === 0) return { text, entities };
  const all = [...entities, ...found].sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities: all };
}

function trimFormatted({ text, entities }: FormattedText): FormattedText {
  const start = text.length - text.trimStart().length;
  const trimmed = text.trim();
  const end = start + trimmed.length;
  const out: MessageEntity[] = [];
  for (const e of entities) {
    const from = Math.max(e.offset, start);
    const to = Math.min(e.offset + e.length, end);
    if (to > from) out.push({ ...e, offset: from - start, length: to - from });
  }
  out.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text: trimmed, entities: out };
}
