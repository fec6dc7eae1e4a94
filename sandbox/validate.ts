import { loadSpec, type SpecField, type SpecMethod, type SpecType } from "./api-spec.ts";
import { ApiError, badRequest } from "./errors.ts";

/** A file uploaded with multipart/form-data (a top-level part or one referenced as `attach://name`). */
export class Upload {
  constructor(
    readonly filename: string,
    readonly data: Buffer,
    readonly contentType: string | undefined,
  ) {}
}

/** Thrown inside the recursive checker; turned into a Telegram-style description by the caller. */
class ShapeError extends Error {}

const MAX_DEPTH = 12;

/**
 * Checks every parameter of a call against api.json and coerces wire values the way Telegram does:
 * form fields arrive as strings ("123", "true", JSON-serialized objects) and JSON bodies may also carry
 * JSON-serialized strings for object fields. Unknown parameters are dropped, like Telegram ignores them.
 */
export function validateParams(
  method: SpecMethod,
  raw: Record<string, unknown>,
  uploads: ReadonlyMap<string, Upload> = new Map(),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of method.fields ?? []) {
    let value = raw[field.name];
    if (value === undefined && uploads.has(field.name) && field.types.includes("InputFile")) {
      value = uploads.get(field.name);
    }
    if (typeof value === "string" && value.startsWith("attach://") && field.types.includes("InputFile")) {
      const upload = uploads.get(value.slice("attach://".length));
      if (upload) value = upload;
    }
    if (value === undefined || value === null || (value === "" && !field.types.includes("String"))) {
      if (field.required) throw missingParameter(method.name, field.name);
      continue;
    }
    try {
      out[field.name] = checkValue(value, field.types, field.name, 0);
    } catch (err) {
      if (err instanceof ShapeError) throw describeShapeError(field, err.message);
      throw err;
    }
  }
  return out;
}

function missingParameter(method: string, name: string): ApiError {
  if (name === "text" && /^(sendMessage|editMessageText)$/i.test(method))
    return badRequest("message text is empty");
  if (name === "chat_id") return badRequest("chat_id is empty");
  return badRequest(`parameter "${name}" is required`);
}

function describeShapeError(field: SpecField, detail: string): ApiError {
  if (field.name === "reply_markup") {
    if (detail.startsWith("inline keyboard button:")) return badRequest(`can't parse ${detail}`);
    return badRequest(`can't parse reply keyboard markup JSON object: ${detail}`);
  }
  const isScalar = field.types.every((t) => ["Integer", "String", "Boolean", "Float"].includes(t));
  if (isScalar) return badRequest(detail);
  return badRequest(`can't parse ${field.name.replace(/_/g, " ")} JSON object: ${detail}`);
}

const INTEGER = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function checkValue(value: unknown, types: readonly string[], path: string, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new ShapeError(`Field "${path}" is nested too deeply`);
  if (value instanceof Upload) {
    if (types.includes("InputFile")) return value;
    throw new ShapeError(`Field "${path}" must be of type ${types.join(" or ")}`);
  }
  if (typeof value === "string") {
    if (types.includes("Integer") && INTEGER.test(value.trim())) return Number(value.trim());
    if (types.includes("String")) return value;
    if (types.includes("Float") && FLOAT.test(value.trim())) return Number(value.trim());
    if (types.includes("Boolean")) {
      const lowered = value.trim().toLowerCase();
      if (lowered === "true" || lowered === "1") return true;
      if (lowered === "false" || lowered === "0" || lowered === "") return false;
    }
    const wantsJson = types.some((t) => t.startsWith("Array of ") || isObjectType(t));
    if (wantsJson) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        throw new ShapeError(`Field "${path}" must be a valid JSON-serialized ${types[0]}`);
      }
      if (typeof parsed === "object" && parsed !== null) return checkValue(parsed, types, path, depth + 1);
    }
    throw new ShapeError(`Field "${path}" must be of type ${types[0]}`);
  }
  if (typeof value === "number") {
    if (types.includes("Integer") && Number.isSafeInteger(value)) return value;
    if (types.includes("Float") && Number.isFinite(value)) return value;
    if (types.includes("String")) return String(value);
    if (types.includes("Boolean") && (value === 0 || value === 1)) return value === 1;
    throw new ShapeError(`Field "${path}" must be of type ${types[0]}`);
  }
  if (typeof value === "boolean") {
    if (types.includes("Boolean")) return value;
    if (types.includes("String")) return String(value);
    throw new ShapeError(`Field "${path}" must be of type ${types[0]}`);
  }
  if (Array.isArray(value)) {
    const arrayTypes = types.filter((t) => t.startsWith("Array of ")).map((t) => t.slice("Array of ".length));
    if (arrayTypes.length === 0) throw new ShapeError(`Field "${path}" must be of type ${types[0]}`);
    // Several "Array of X" alternatives (sendMediaGroup) mean "an array of any of X".
    return value.map((item, i) => checkValue(item, arrayTypes, `${path}[${i}]`, depth + 1));
  }
  if (typeof value === "object" && value !== null) {
    const objectTypes = types.filter(isObjectType);
    if (objectTypes.length === 0) throw new ShapeError(`Field "${path}" must be of type ${types[0]}`);
    return checkObject(value as Record<string, unknown>, objectTypes, path, depth);
  }
  throw new ShapeError(`Field "${path}" must be of type ${types[0]}`);
}

function isObjectType(name: string): boolean {
  const t = loadSpec().types[name];
  return t !== undefined && name !== "InputFile";
}

/** Expands union types (subtypes) into the concrete object types they stand for. */
function concreteTypes(names: readonly string[]): SpecType[] {
  const types = loadSpec().types;
  const out: SpecType[] = [];
  for (const name of names) {
    const t = types[name];
    if (!t) continue;
    if (t.subtypes) out.push(...concreteTypes(t.subtypes));
    else out.push(t);
  }
  return out;
}

/** The constant a discriminator field must hold, read from its description ("must be photo"). */
function discriminator(type: SpecType): { field: string; value: string } | undefined {
  for (const f of type.fields ?? []) {
    if (f.name !== "type" && f.name !== "source" && f.name !== "status") continue;
    const m = /(?:must be|always)\s+[*"]*([a-z_]+)/.exec(f.description);
    if (m?.[1]) return { field: f.name, value: m[1] };
  }
  return undefined;
}

function checkObject(
  obj: Record<string, unknown>,
  typeNames: readonly string[],
  path: string,
  depth: number,
): Record<string, unknown> {
  const candidates = concreteTypes(typeNames).filter((t) => {
    const d = discriminator(t);
    return !d || obj[d.field] === undefined || obj[d.field] === d.value;
  });
  const complete = candidates.filter((t) =>
    (t.fields ?? []).every((f) => !f.required || (obj[f.name] !== undefined && obj[f.name] !== null)),
  );
  const chosen = complete.length > 0 ? complete : candidates;
  let lastError: ShapeError | undefined;
  for (const type of chosen) {
    try {
      return checkFields(obj, type, path, depth);
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      lastError = err;
    }
  }
  if (lastError) throw lastError;
  throw new ShapeError(`Field "${path}" must be of type ${typeNames.join(" or ")}`);
}

function checkFields(
  obj: Record<string, unknown>,
  type: SpecType,
  path: string,
  depth: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const d = discriminator(type);
  if (d && obj[d.field] !== d.value) {
    throw new ShapeError(`Field "${path}.${d.field}" must be "${d.value}"`);
  }
  for (const field of type.fields ?? []) {
    let value = obj[field.name];
    // Telegram accepts plain strings as reply keyboard buttons.
    if (type.name === "KeyboardButton" && typeof obj === "string") value = obj;
    if (value === undefined || value === null) {
      if (field.required) throw new ShapeError(`Field "${field.name}" must be of type ${field.types[0]}`);
      continue;
    }
    out[field.name] = checkValue(value, field.types, field.name, depth + 1);
  }
  return out;
}

/** Reply keyboards may list buttons as bare strings; normalise them to KeyboardButton objects first. */
export function normaliseReplyKeyboard(markup: unknown): unknown {
  if (typeof markup === "string") {
    try {
      return normaliseReplyKeyboard(JSON.parse(markup));
    } catch {
      return markup;
    }
  }
  if (typeof markup !== "object" || markup === null) return markup;
  const m = markup as Record<string, unknown>;
  if (!Array.isArray(m.keyboard)) return markup;
  return {
    ...m,
    keyboard: m.keyboard.map((row) =>
      Array.isArray(row) ? row.map((b) => (typeof b === "string" ? { text: b } : b)) : row,
    ),
  };
}

export { ApiError };
