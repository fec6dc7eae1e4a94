/**
 * Typed callback data: one codec per button family packs the values into Telegram's `callback_data`
 * (at most 64 bytes), gives grammY a filter for its handler, and unpacks what came back — so no feature
 * parses strings like `p:g:3` with a regex of its own. Anything that does not unpack (a forged or an
 * old button) is not handled by the codec's handler and falls through to the family's stale answer.
 */

/** One field: how it looks inside callback data and what it reads as. */
interface Field<T> {
  pattern: string;
  parse(raw: string): T;
  format(value: T): string;
}

/** A database id or a count: 1–15 digits. */
export const id: Field<number> = {
  pattern: "\\d{1,15}",
  parse: Number,
  format: (v) => String(Math.trunc(v)),
};

/** One of a fixed set of words (an action, a reason, a step). */
export function oneOf<const V extends string>(values: readonly V[]): Field<V> {
  const escaped = values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return { pattern: `(?:${escaped.join("|")})`, parse: (raw) => raw as V, format: (v) => v };
}

/** One of a fixed set of numbers (stars of a rating, hours of a timer). */
export function numberIn<const V extends number>(values: readonly V[]): Field<V> {
  return { pattern: `(?:${values.join("|")})`, parse: (raw) => Number(raw) as V, format: String };
}

/** A two-letter country code (ISO 3166-1 alpha-2). */
export const country: Field<string> = { pattern: "[A-Z]{2}", parse: (raw) => raw, format: (v) => v };

/** A short free token without «:» (a step's argument: an index, «12-3»). */
export const token: Field<string> = { pattern: "[^:]{1,40}", parse: (raw) => raw, format: (v) => v };

type Fields = Record<string, Field<unknown>>;
type Values<F extends Fields> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

export interface CallbackCodec<F extends Fields, O extends keyof F = never> {
  /** Anchored: matches exactly this family's data, with its optional last field present or not. */
  readonly filter: RegExp;
  pack(values: Omit<Values<F>, O> & Partial<Pick<Values<F>, O>>): string;
  /** The values, or null when `data` is not this family's (forged, from another version). */
  unpack(data: string | undefined): (Omit<Values<F>, O> & Partial<Pick<Values<F>, O>>) | null;
}

const TELEGRAM_CALLBACK_DATA_MAX_BYTES = 64;

/**
 * A family of buttons: `prefix` then the fields in order, joined by «:». `optionalLast` names a last
 * field that may be left out (`p:nickname:back` and `p:nickname:pick:2`).
 */
export function callbackCodec<F extends Fields, O extends keyof F & string = never>(
  prefix: string,
  fields: F,
  optionalLast?: O,
): CallbackCodec<F, O> {
  const names = Object.keys(fields);
  if (optionalLast !== undefined && names.at(-1) !== optionalLast) {
    throw new Error(`callback family ${prefix}: only the last field can be optional`);
  }
  const parts = names.map((name) => {
    const group = `(${fields[name]!.pattern})`;
    return name === optionalLast ? `(?::${group})?` : `:${group}`;
  });
  const filter = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}${parts.join("")}$`);
  return {
    filter,
    pack(values) {
      const out = [prefix];
      for (const name of names) {
        const value = (values as Record<string, unknown>)[name];
        if (value === undefined && name === optionalLast) continue;
        out.push(fields[name]!.format(value as never));
      }
      const data = out.join(":");
      if (Buffer.byteLength(data) > TELEGRAM_CALLBACK_DATA_MAX_BYTES || !filter.test(data)) {
        throw new Error(`callback data ${JSON.stringify(data)} does not fit its family ${prefix}`);
      }
      return data;
    },
    unpack(data) {
      const m = data === undefined ? null : filter.exec(data);
      if (!m) return null;
      const values: Record<string, unknown> = {};
      names.forEach((name, i) => {
        const raw = m[i + 1];
        if (raw !== undefined) values[name] = fields[name]!.parse(raw);
      });
      return values as never;
    },
  };
}
