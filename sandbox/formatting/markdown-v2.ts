import { byteOffset, entitiesError, type FormattedText, type MessageEntity } from "./entities.ts";

// parse_mode MarkdownV2: every reserved character must be escaped; nested marks, links, code, quotes.

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
      const code = readCode(source, i);
      if (code.text.length > 0) {
        const e: MessageEntity = { type: code.type, offset: out.length, length: code.text.length };
        if (code.language) e.language = code.language;
        entities.push(e);
      }
      out += code.text;
      i = code.end;
      continue;
    }
    if (c === "]") {
      const top = stack.at(-1);
      if (!top || (top.marker !== "[" && top.marker !== "![")) reserved(c);
      stack.pop();
      const link = readLinkUrl(source, i, top!);
      const length = out.length - top!.start;
      if (length > 0) entities.push(linkEntity(top!, link.url, length));
      i = link.end;
      continue;
    }
    const marker = markerAt(source, i);
    const spec = MDV2_MARKERS[marker];
    if (!spec) reserved(c);
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

/** The formatting mark at `i`: two-character marks (`__`, `||`, `![`) win over their first character. */
function markerAt(source: string, i: number): string {
  const c = source[i]!;
  if (c === "_" && source[i + 1] === "_") return "__";
  if (c === "|" && source[i + 1] === "|") return "||";
  if (c === "!" && source[i + 1] === "[") return "![";
  return c;
}

function reserved(ch: string): never {
  throw entitiesError(`Character '${ch}' is reserved and must be escaped with the preceding '\\'`);
}

/** A `code` span or a ```pre``` block starting at `i`: its unescaped text, language and where it ends. */
function readCode(
  source: string,
  i: number,
): { type: "pre" | "code"; text: string; language?: string; end: number } {
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
  let text = "";
  let closed = false;
  while (j < source.length) {
    if (source[j] === "\\" && j + 1 < source.length && source.charCodeAt(j + 1) <= 126) {
      text += source[j + 1];
      j += 2;
      continue;
    }
    if (source.startsWith(isPre ? "```" : "`", j)) {
      closed = true;
      j += openLen;
      break;
    }
    text += source[j];
    j++;
  }
  if (!closed) {
    throw entitiesError(
      `Can't find end of ${isPre ? "Pre" : "Code"} entity at byte offset ${byteOffset(source, i)}`,
    );
  }
  return language
    ? { type: isPre ? "pre" : "code", text, language, end: j }
    : { type: isPre ? "pre" : "code", text, end: j };
}

/** The `(url)` after a link's `]` at `i`: the unescaped url and the index after its `)`. */
function readLinkUrl(source: string, i: number, open: OpenMark): { url: string; end: number } {
  if (source[i + 1] !== "(") {
    throw entitiesError(
      `Can't find end of ${open.name} entity at byte offset ${byteOffset(source, open.sourceIndex)}`,
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
  return { url, end: j + 1 };
}

function linkEntity(open: OpenMark, url: string, length: number): MessageEntity {
  if (open.marker === "![") {
    const id = /^tg:\/\/emoji\?id=(\d+)$/.exec(url)?.[1];
    if (!id) throw entitiesError(`Custom emoji URL must have an emoji identifier`);
    return { type: "custom_emoji", offset: open.start, length, custom_emoji_id: id };
  }
  return { type: "text_link", offset: open.start, length, url };
}
