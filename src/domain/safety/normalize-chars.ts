/** The character tables of the normaliser (data): invisible characters, look-alikes, digits used as letters. */

/** Zero-width, bidi and other invisible format characters, plus the soft hyphen and variation selectors. */
export const INVISIBLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180e, 0x180e],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x2064],
  [0x2066, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
];
export const isInvisible = (cp: number) => INVISIBLE_RANGES.some(([a, b]) => cp >= a && cp <= b);
export const COMBINING = /\p{M}/u;
export const CYRILLIC = /[а-яё]/u;
export const LETTER = /\p{L}/u;

/** Latin letters and digits that look like (or are used for) Cyrillic letters. */
export const LOOKALIKE: Readonly<Record<string, string>> = {
  a: "а",
  e: "е",
  o: "о",
  p: "р",
  c: "с",
  x: "х",
  y: "у",
  k: "к",
  m: "м",
  t: "т",
  h: "н",
  u: "и",
  n: "н",
  r: "р",
  i: "и",
  l: "л",
  g: "д",
  d: "д",
  s: "с",
  z: "з",
  v: "в",
  w: "ш",
  f: "ф",
  j: "й",
  "3": "з",
  "0": "о",
  "4": "ч",
  "6": "б",
  "1": "и",
  "9": "я",
  "@": "а",
  $: "с",
};
/** Digits that stand for more than one letter («д3бил» has «е», «3ануда» has «з»). */
export const DIGIT_ALTERNATIVES: Readonly<Record<string, readonly string[]>> = {
  "3": ["з", "е"],
  "1": ["и", "л"],
  "4": ["ч", "а"],
};

/** Characters that hide a letter inside a word. «@» also reads as «а», tried first. */
