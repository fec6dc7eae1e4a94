/** Russian written in Latin letters («hochu umeret»): the candidates a word may stand for. */

/** Latin transliteration of Russian, longest spelling first. */
const TRANSLIT: ReadonlyArray<readonly [string, string]> = [
  ["shch", "щ"],
  ["sch", "щ"],
  ["sh", "ш"],
  ["ch", "ч"],
  ["zh", "ж"],
  ["kh", "х"],
  ["ts", "ц"],
  ["ya", "я"],
  ["ja", "я"],
  ["yu", "ю"],
  ["ju", "ю"],
  ["yo", "е"],
  ["jo", "е"],
  ["ye", "е"],
  ["iy", "ий"],
  ["yy", "ый"],
  ["a", "а"],
  ["b", "б"],
  ["v", "в"],
  ["w", "в"],
  ["g", "г"],
  ["d", "д"],
  ["e", "е"],
  ["z", "з"],
  ["i", "и"],
  ["j", "й"],
  ["k", "к"],
  ["l", "л"],
  ["m", "м"],
  ["n", "н"],
  ["o", "о"],
  ["p", "п"],
  ["r", "р"],
  ["s", "с"],
  ["t", "т"],
  ["u", "у"],
  ["f", "ф"],
  ["h", "х"],
  ["c", "ц"],
  ["x", "кс"],
  ["q", "к"],
  ["'", "ь"],
];
const VOWELS = "аеиоуыэюя";

/** Digits written for letters in Latin spellings («p1d0r», «cy4ka»). */
const LATIN_DIGITS: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "i",
  "3": "z",
  "4": "ch",
  "6": "b",
  "9": "ya",
};

/**
 * One spelling of a Latin word. With `yDigraphs`, «y» before a vowel is one letter (the table's «ya»,
 * «yu»… : «tupaya» → «тупая», «yuzhnyy» → «южный»); without, every «y» is read on its own (below).
 */
function spell(word: string, yDigraphs: boolean): string | null {
  let out = "";
  let i = 0;
  while (i < word.length) {
    const hit = TRANSLIT.find(([lat]) => word.startsWith(lat, i) && (yDigraphs || lat[0] !== "y"));
    if (!hit && word[i] === "y") {
      // «y» is «й» after a vowel, «ы» after a consonant.
      const prev = out[out.length - 1];
      out += prev && VOWELS.includes(prev) ? "й" : "ы";
      i++;
      continue;
    }
    if (!hit) return null;
    out += hit[1];
    i += hit[0].length;
  }
  return out;
}

/** Readings of a fully Latin word as Russian: «ty» → «ты», «mraz» → «мразь», «nahui» → «нахуй». */
export function translitCandidates(latin: string): string[] {
  const word = latin.replace(/[013469]/gu, (d) => LATIN_DIGITS[d] ?? d);
  const spellings = new Set<string>();
  for (const yDigraphs of [true, false]) {
    const out = spell(word, yDigraphs);
    if (out) spellings.add(out);
  }
  // «sooka», «pooshka»: an English «oo» for «у».
  if (word.includes("oo")) {
    const out = spell(word.replace(/oo/gu, "u"), true);
    if (out) spellings.add(out);
  }
  return [...spellings].flatMap(variantsOf);
}

function variantsOf(out: string): string[] {
  const variants = [out, `${out}ь`];
  if (/[аеоу]и$/u.test(out)) variants.push(`${out.slice(0, -1)}й`);
  if (out.includes("ц")) variants.push(...variants.map((v) => v.replace(/ц/gu, "к")));
  return variants;
}
