import { badRequest } from "./errors.ts";

/** A MessageEntity as the Bot API returns it (offsets and lengths in UTF-16 code units). */
export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
  user?: unknown;
}

export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

const byteOffset = (source: string, index: number): number =>
  Buffer.byteLength(source.slice(0, index), "utf8");

const entitiesError = (reason: string) => badRequest(`can't parse entities: ${reason}`);

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

// ---------------------------------------------------------------- HTML

const HTML_TAGS: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  span: "spoiler",
  a: "text_link",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
  "tg-emoji": "custom_emoji",
};

const NAMED_HTML_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

interface OpenTag {
  tag: string;
  start: number;
  attrs: Record<string, string>;
}

export function parseHtml(source: string): FormattedText {
  let out = "";
  const entities: MessageEntity[] = [];
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === "&") {
      const m = /^&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/.exec(source.slice(i, i + 12));
      if (m?.[1]) {
        const name = m[1];
        let decoded: string | undefined;
        if (name.startsWith("#x")) decoded = safeCodePoint(Number.parseInt(name.slice(2), 16));
        else if (name.startsWith("#")) decoded = safeCodePoint(Number.parseInt(name.slice(1), 10));
        else decoded = NAMED_HTML_ENTITIES[name.toLowerCase()];
        if (decoded !== undefined) {
          out += decoded;
          i += m[0].length;
          continue;
        }
      }
      out += c;
      i++;
      continue;
    }
    if (c !== "<") {
      out += c;
      i++;
      continue;
    }
    const tagOffset = byteOffset(source, i);
    if (source[i + 1] === "/") {
      const close = source.indexOf(">", i);
      if (close < 0) throw entitiesError(`Unclosed end tag at byte offset ${tagOffset}`);
      const name = source
        .slice(i + 2, close)
        .trim()
        .toLowerCase();
      const top = stack.pop();
      if (!top) throw entitiesError(`Unexpected end tag at byte offset ${tagOffset}`);
      if (top.tag !== name) {
        throw entitiesError(
          `Unmatched end tag at byte offset ${tagOffset}, expected "</${top.tag}>", found "</${name}>"`,
        );
      }
      closeHtmlTag(top, out, entities, stack);
      i = close + 1;
      continue;
    }
    const nameMatch = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(source.slice(i, i + 64));
    const name = nameMatch?.[1]?.toLowerCase() ?? "";
    if (!name || !(name in HTML_TAGS)) {
      throw entitiesError(`Unsupported start tag "${name}" at byte offset ${tagOffset}`);
    }
    let j = i + 1 + name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      while (j < source.length && /\s/.test(source[j]!)) j++;
      if (j >= source.length) throw entitiesError(`Unclosed start tag at byte offset ${tagOffset}`);
      if (source[j] === ">") break;
      if (source[j] === "/" && source[j + 1] === ">") {
        throw entitiesError(`Unsupported start tag "${name}/" at byte offset ${tagOffset}`);
      }
      const attr = /^([a-zA-Z][a-zA-Z0-9_-]*)/.exec(source.slice(j, j + 64));
      if (!attr?.[1])
        throw entitiesError(`Empty attribute name in the tag "${name}" at byte offset ${tagOffset}`);
      const attrName = attr[1].toLowerCase();
      j += attr[1].length;
      while (j < source.length && /\s/.test(source[j]!)) j++;
      if (source[j] !== "=") {
        attrs[attrName] = "";
        continue;
      }
      j++;
      while (j < source.length && /\s/.test(source[j]!)) j++;
      const quote = source[j];
      let value: string;
      if (quote === '"' || quote === "'") {
        const end = source.indexOf(quote, j + 1);
        if (end < 0) throw entitiesError(`Unclosed start tag at byte offset ${tagOffset}`);
        value = source.slice(j + 1, end);
        j = end + 1;
      } else {
        const m = /^[^\s>]*/.exec(source.slice(j))!;
        value = m[0];
        j += value.length;
      }
      attrs[attrName] = decodeAttr(value);
    }
    if (name === "span" && attrs.class !== "tg-spoiler") {
      throw entitiesError(`Tag "span" must have class "tg-spoiler" at byte offset ${tagOffset}`);
    }
    stack.push({ tag: name, start: out.length, attrs });
    i = j + 1;
  }
  const open = stack.at(-1);
  if (open) throw entitiesError(`Can't find end tag corresponding to start tag "${open.tag}"`);
  return { text: out, entities };
}

function safeCodePoint(n: number): string | undefined {
  if (!Number.isFinite(n) || n < 0 || n > 0x10ffff) return undefined;
  return String.fromCodePoint(n);
}

function decodeAttr(value: string): string {
  return value.replace(/&(lt|gt|amp|quot);/gi, (_, n: string) => NAMED_HTML_ENTITIES[n.toLowerCase()] ?? "");
}

function closeHtmlTag(tag: OpenTag, out: string, entities: MessageEntity[], stack: OpenTag[]): void {
  const length = out.length - tag.start;
  if (length === 0) return;
  const type = HTML_TAGS[tag.tag]!;
  if (type === "text_link") {
    const href = tag.attrs.href;
    if (!href) return;
    if (/^tg:\/\/user\?id=\d+$/.test(href)) {
      entities.push({
        type: "text_mention",
        offset: tag.start,
        length,
        user: { id: Number(href.slice(13)) },
      });
    } else {
      entities.push({ type: "text_link", offset: tag.start, length, url: href });
    }
    return;
  }
  if (type === "code") {
    const parent = stack.at(-1);
    const language = /^language-(.+)$/.exec(tag.attrs.class ?? "")?.[1];
    if (parent?.tag === "pre" && language && parent.start === tag.start) {
      parent.attrs.language = language;
      return;
    }
  }
  if (type === "pre") {
    const entity: MessageEntity = { type: "pre", offset: tag.start, length };
    if (tag.attrs.language) entity.language = tag.attrs.language;
    entities.push(entity);
    return;
  }
  if (type === "blockquote") {
    const kind = "expandable" in tag.attrs ? "expandable_blockquote" : "blockquote";
    entities.push({ type: kind, offset: tag.start, length });
    return;
  }
  if (type === "custom_emoji") {
    const id = tag.attrs["emoji-id"];
    if (id) entities.push({ type, offset: tag.start, length, custom_emoji_id: id });
    return;
  }
  entities.push({ type, offset: tag.start, length });
}

// ---------------------------------------------------------------- MarkdownV2

const MDV2_RESERVED = new Set("_*[]()~`>#+-=|{}.!".split(""));

interface OpenMark {
  marker: string;
  type: string;
  name: string;
  start: number;
  sourceIndex: number;
}

const MDV2_MARKERS: Record<string, { type: string; name: string }> = {
  "*": { type: "bold", name: "Bold" },
  _: { type: "italic", name: "Italic" },
  __: { type: "underline", name: "Underline" },
  "~": { type: "strikethrough", name: "Strikethrough" },
  "||": { type: "spoiler", name: "Spoiler" },
  "[": { type: "text_link", name: "TextUrl" },
  "![": { type: "custom_emoji", name: "CustomEmoji" },
};

export function parseMarkdownV2(source: string): FormattedText {
  let out = "";
  const entities: MessageEntity[] = [];
  const stack: OpenMark[] = [];
  let quoteStart = -1;
  let i = 0;
  const reserved = (ch: string, at: number): never => {
    void at;
    throw entitiesError(`Character '${ch}' is reserved and must be escaped with the preceding '\\'`);
  };
  while (i < source.length) {
    const c = source[i]!;
    const atLineStart = i === 0 || source[i - 1] === "\n";
    if (c === "\\" && i + 1 < source.length && source.charCodeAt(i + 1) <= 126) {
      out += source[i + 1];
      i += 2;
      continue;
    }
    if (c === "\n" && quoteStart >= 0 && source[i + 1] !== ">") {
      if (out.length > quoteStart)
        entities.push({ type: "blockquote", offset: quoteStart, length: out.length - quoteStart });
      quoteStart = -1;
    }
    if (!MDV2_RESERVED.has(c)) {
      out += c;
      i++;
      continue;
    }
    if (c === ">" && atLineStart) {
      if (quoteStart < 0) quoteStart = out.length;
      i++;
      continue;
    }
    if (c === "`") {
      const isPre = source.startsWith("```", i);
      const openLen = isPre ? 3 : 1;
      let j = i + openLen;
      let language: string | undefined;
      if (isPre) {
        const nl = source.indexOf("\n", j);
        const firstLine = nl >= 0 ? source.slice(j, nl) : "";
        if (nl >= 0 && /^[^\s`]+$/.test(firstLine)) {
          language = firstLine;
          j = nl + 1;
        } else if (nl === j) {
          j = nl + 1;
        }
      }
      const start = out.length;
      let closed = false;
      while (j < source.length) {
        if (source[j] === "\\" && j + 1 < source.length && source.charCodeAt(j + 1) <= 126) {
          out += source[j + 1];
          j += 2;
          continue;
        }
        if (source.startsWith(isPre ? "```" : "`", j)) {
          closed = true;
          j += openLen;
          break;
        }
        out += source[j];
        j++;
      }
      if (!closed) {
        throw entitiesError(
          `Can't find end of ${isPre ? "Pre" : "Code"} entity at byte offset ${byteOffset(source, i)}`,
        );
      }
      if (out.length > start) {
        const e: MessageEntity = { type: isPre ? "pre" : "code", offset: start, length: out.length - start };
        if (language) e.language = language;
        entities.push(e);
      }
      i = j;
      continue;
    }
    if (c === "]") {
      const top = stack.at(-1);
      if (!top || (top.marker !== "[" && top.marker !== "![")) reserved(c, i);
      stack.pop();
      if (source[i + 1] !== "(") {
        throw entitiesError(
          `Can't find end of ${top!.name} entity at byte offset ${byteOffset(source, top!.sourceIndex)}`,
        );
      }
      let j = i + 2;
      let url = "";
      let closed = false;
      while (j < source.length) {
        if (source[j] === "\\" && j + 1 < source.length) {
          url += source[j + 1];
          j += 2;
          continue;
        }
        if (source[j] === ")") {
          closed = true;
          break;
        }
        url += source[j];
        j++;
      }
      if (!closed) throw entitiesError(`Can't find end of a url at byte offset ${byteOffset(source, i + 1)}`);
      const length = out.length - top!.start;
      if (length > 0) {
        if (top!.marker === "![") {
          const id = /^tg:\/\/emoji\?id=(\d+)$/.exec(url)?.[1];
          if (!id) throw entitiesError(`Custom emoji URL must have an emoji identifier`);
          entities.push({ type: "custom_emoji", offset: top!.start, length, custom_emoji_id: id });
        } else {
          entities.push({ type: "text_link", offset: top!.start, length, url });
        }
      }
      i = j + 1;
      continue;
    }
    let marker: string;
    if (c === "_" && source[i + 1] === "_") marker = "__";
    else if (c === "|" && source[i + 1] === "|") marker = "||";
    else if (c === "!" && source[i + 1] === "[") marker = "![";
    else marker = c;
    const spec = MDV2_MARKERS[marker];
    if (!spec) reserved(c, i);
    const openIndex = stack.findIndex((m) => m.marker === marker);
    if (marker !== "[" && marker !== "![" && openIndex >= 0) {
      const top = stack.at(-1)!;
      if (openIndex !== stack.length - 1) {
        throw entitiesError(
          `Can't find end of ${top.name} entity at byte offset ${byteOffset(source, top.sourceIndex)}`,
        );
      }
      stack.pop();
      if (out.length > top.start)
        entities.push({ type: top.type, offset: top.start, length: out.length - top.start });
    } else {
      stack.push({ marker, type: spec!.type, name: spec!.name, start: out.length, sourceIndex: i });
    }
    i += marker.length;
  }
  if (quoteStart >= 0 && out.length > quoteStart) {
    entities.push({ type: "blockquote", offset: quoteStart, length: out.length - quoteStart });
  }
  const open = stack.at(-1);
  if (open)
    throw entitiesError(
      `Can't find end of ${open.name} entity at byte offset ${byteOffset(source, open.sourceIndex)}`,
    );
  return { text: out, entities };
}

// ---------------------------------------------------------------- legacy Markdown

export function parseMarkdownLegacy(source: string): FormattedText {
  let out = "";
  const entities: MessageEntity[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === "\\" && "_*`[".includes(source[i + 1] ?? "")) {
      out += source[i + 1];
      i += 2;
      continue;
    }
    if (c !== "_" && c !== "*" && c !== "`" && c !== "[") {
      out += c;
      i++;
      continue;
    }
    const startOffset = byteOffset(source, i);
    const fail = () => entitiesError(`Can't find end of the entity starting at byte offset ${startOffset}`);
    if (c === "[") {
      const close = source.indexOf("]", i + 1);
      if (close < 0 || source[close + 1] !== "(") throw fail();
      const urlEnd = source.indexOf(")", close + 2);
      if (urlEnd < 0) throw fail();
      const label = source.slice(i + 1, close);
      const url = source.slice(close + 2, urlEnd);
      if (label.length > 0)
        entities.push({ type: "text_link", offset: out.length, length: label.length, url });
      out += label;
      i = urlEnd + 1;
      continue;
    }
    const isPre = c === "`" && source.startsWith("```", i);
    const marker = isPre ? "```" : c;
    const end = source.indexOf(marker, i + marker.length);
    if (end < 0) throw fail();
    let inner = source.slice(i + marker.length, end);
    let language: string | undefined;
    if (isPre) {
      const nl = inner.indexOf("\n");
      if (nl > 0 && /^[^\s]+$/.test(inner.slice(0, nl))) {
        language = inner.slice(0, nl);
        inner = inner.slice(nl + 1);
      }
    }
    const type = isPre ? "pre" : c === "`" ? "code" : c === "*" ? "bold" : "italic";
    if (inner.length > 0) {
      const e: MessageEntity = { type, offset: out.length, length: inner.length };
      if (language) e.language = language;
      entities.push(e);
    }
    out += inner;
    i = end + marker.length;
  }
  return { text: out, entities };
}
