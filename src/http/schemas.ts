import { z } from "zod";

/**
 * Zod schemas shared by the route areas. A route's schema is its types (through the zod type provider)
 * and its OpenAPI entry (through `jsonSchemaTransform`), so each shape is written once, here or in its
 * area. Descriptions and ids (`.describe`, `.meta`) live in zod's global registry, which the OpenAPI
 * transform reads; a schema with an `id` is published once under `components.schemas`.
 * No coercion anywhere: a body's "7" is not 7; path and query values are strings with patterns, turned
 * into numbers by the schema itself.
 */

/** A timestamp as the API writes it: `Date#toISOString()`. */
export const dateTime = z.iso.datetime();
export const nullableDateTime = dateTime.nullable();

/** An id in a JSON body. */
export const positiveId = z.number().int().min(1);

/**
 * `{ id }` path parameters: a decimal string without leading zeros, at most `maxDigits` long, handed to
 * the handler as a number. The length is the column's range: longer ids are refused here rather than
 * overflowing in SQL.
 */
export function idParams(maxDigits: number) {
  return z.strictObject({
    id: z
      .string()
      .regex(new RegExp(`^[1-9][0-9]{0,${maxDigits - 1}}$`))
      .transform(Number),
  });
}

/** Ids of bigserial columns (JS numbers stay exact up to 15 digits). */
export const bigIdParams = idParams(15);
/** Ids of 32-bit serial columns. */
export const serialIdParams = idParams(9);

/**
 * A string of `min`–`max` characters counted as code points (as JSON Schema's maxLength and the
 * services count them), not UTF-16 units: an emoji is one character.
 */
export function text(max: number, min = 0) {
  return z
    .string()
    .refine((s) => {
      const length = [...s].length;
      return length >= min && length <= max;
    }, `must be ${min}–${max} characters`)
    .meta(min > 0 ? { minLength: min, maxLength: max } : { maxLength: max });
}

/**
 * A reply field the services type as a plain string though its words are a domain list (statuses,
 * actions): documented as that enum, not checked again on the way out.
 */
export function wordOf(values: readonly string[]) {
  return z.string().meta({ enum: [...values] });
}
