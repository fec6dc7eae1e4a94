import { byteOffset, entitiesError, type FormattedText, type MessageEntity } from "./entities.ts";

// parse_mode HTML: Telegram's tag set, entities (named and numeric), and its error messages.

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
      const decoded = readHtmlEntity(source, i);
      if (decoded) {
        out += decoded.text;
        i += decoded.length;
        continue;
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
    const { attrs, end } = readAttributes(source, i + 1 + name.length, name, tagOffset);
    if (name === "span" && attrs.class !== "tg-spoiler") {
      throw entitiesError(`Tag "span" must have class "tg-spoiler" at byte offset ${tagOffset}`);
    }
    stack.push({ tag: name, start: out.length, attrs });
    i = end + 1;
  }
  const open = stack.at(-1);
  if (open) throw entitiesError(`Can't find end tag corresponding to start tag "${open.tag}"`);
  return { text: out, entities };
}

/** `&lt;`, `&#60;`, `&#x3c;` at `i`: the decoded text and the source length; undefined if not one. */
function readHtmlEntity(source: string, i: number): { text: string; length: number } | undefined {
  const m = /^&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/.exec(source.slice(i, i + 12));
  if (!m?.[1]) return undefined;
  const name = m[1];
  let decoded: string | undefined;
  if (name.startsWith("#x")) decoded = safeCodePoint(Number.parseInt(name.slice(2), 16));
  else if (name.startsWith("#")) decoded = safeCodePoint(Number.parseInt(name.slice(1), 10));
  else decoded = NAMED_HTML_ENTITIES[name.toLowerCase()];
  return decoded === undefined ? undefined : { text: decoded, length: m[0].length };
}

/** The attributes of a start tag from `j` (just after its name) up to its `>`, at index `end`. */
function readAttributes(
  source: string,
  j: number,
  name: string,
  tagOffset: number,
): { attrs: Record<string, string>; end: number } {
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
  return { attrs, end: j };
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
