import { byteOffset, entitiesError, type FormattedText, type MessageEntity } from "./entities.ts";

// parse_mode Markdown (legacy): *bold*, _italic_, `code`, ```pre```, [links](url); no nesting.

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
