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

/** Readings of a fully Latin word as Russian: «ty» → «ты», «mraz» → «мразь», «nahui» → «нахуй». */
export function translitCandidates(word: string): string[] {
  let out = "";
  let i = 0;
  while (i < word.length) {
    if (word[i] === "y") {
      // «y» is «й» after a vowel, «ы» after a consonant.
      const prev = out[out.length - 1];
      out += prev && VOWELS.includes(prev) ? "й" : "ы";
      i++;
      continue;
    }
    const hit = TRANSLIT.find(([lat]) => word.startsWith(lat, i));
    if (!hit) return [];
    out += hit[1];
    i += hit[0].length;
  }
  const variants = [out, `${out}ь`];
  if (/[аеоу]и$/u.test(out)) variants.push(`${out.slice(0, -1)}й`);
  if (out.includes("ц")) variants.push(...variants.map((v) => v.replace(/ц/gu, "к")));
  return variants;
}
