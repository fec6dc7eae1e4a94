/**
 * Shared helpers for the rule-based classifiers: sentences, clauses, quoted spans and word lookup on
 * text already passed through `normalize` (lower case, «ё» → «е», punctuation kept).
 */

export interface Word {
  w: string;
  start: number;
  end: number;
}

export interface Segment {
  text: string;
  /** Offset of `text` inside the normalised message. */
  offset: number;
}

const WORD_RE = /[\p{L}\p{N}*]+/gu;

export function wordsOf(s: string, offset = 0): Word[] {
  const out: Word[] = [];
  for (const m of s.matchAll(WORD_RE)) {
    const start = (m.index ?? 0) + offset;
    out.push({ w: m[0], start, end: start + m[0].length });
  }
  return out;
}

/** Spans inside quotation marks: «…», “…”, „…“, "…" (paired straight quotes). */
export function quotedSpans(s: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const pairs: Array<[string, string]> = [
    ["«", "»"],
    ["“", "”"],
    ["„", "“"],
    ["‘", "’"],
  ];
  for (const [open, close] of pairs) {
    let from = 0;
    for (;;) {
      const a = s.indexOf(open, from);
      if (a < 0) break;
      const b = s.indexOf(close, a + 1);
      if (b < 0) {
        spans.push([a + 1, s.length]);
        break;
      }
      spans.push([a + 1, b]);
      from = b + 1;
    }
  }
  let open = -1;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '"') continue;
    if (open < 0) open = i;
    else {
      spans.push([open + 1, i]);
      open = -1;
    }
  }
  return spans;
}

export const isInside = (spans: ReadonlyArray<[number, number]>, at: number) =>
  spans.some(([a, b]) => at >= a && at < b);

/** Sentences: cut at «.», «!», «?», «…», «;» and line breaks. */
export function sentencesOf(s: string): Segment[] {
  return splitBy(s, /[.!?…;\n]+/gu, 0);
}

/** Clauses of a sentence: cut at commas, colons, brackets and quotation marks (dashes stay inside). */
export function clausesOf(seg: Segment): Segment[] {
  return splitBy(seg.text, /[,:()«»“”„"]+/gu, seg.offset);
}

function splitBy(s: string, re: RegExp, offset: number): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of s.matchAll(re)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ text: s.slice(last, at), offset: offset + last });
    last = at + m[0].length;
  }
  if (last < s.length) out.push({ text: s.slice(last), offset: offset + last });
  return out.filter((seg) => /[\p{L}\p{N}]/u.test(seg.text));
}

/** Builds a whole-word regex from alternatives; «~» in a pattern stands for up to three other words. */
export function phrase(source: string, flags = "u"): RegExp {
  const body = source
    .replace(/~/g, String.raw`(?:[\s,\-—–]+[\p{L}\p{N}*]+){0,3}[\s,\-—–]+`)
    .replace(/ /g, String.raw`[\s,\-—–]+`);
  return new RegExp(String.raw`(?<![\p{L}\p{N}*])(?:${body})(?![\p{L}\p{N}*])`, flags);
}

/** Whole-token regex from a list of alternatives. */
export function tokenSet(source: string): RegExp {
  return new RegExp(`^(?:${source})$`, "u");
}
