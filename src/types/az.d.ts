/** Minimal types for the parts of Az.js (OpenCorpora morphology, MIT) the safety pipeline uses. */
declare module "az" {
  interface AzTag {
    POS?: string;
    /** Grammemes set on the tag (e.g. `tag["1per"]`, `tag.past`, `tag.impr`). */
    [grammeme: string]: unknown;
    toString(): string;
  }
  interface AzParse {
    word: string;
    tag: AzTag;
    score: number;
    parser?: string;
    normalize(keepPOS?: boolean): AzParse;
  }
  interface AzMorph {
    (word: string, config?: Record<string, unknown>): AzParse[];
    init(path: string, callback: (err: unknown) => void): void;
  }
  interface AzStatic {
    Morph: AzMorph;
    load(url: string, responseType: string, callback: (err: unknown, data?: unknown) => void): void;
  }
  const Az: AzStatic;
  export default Az;
}
