import { readFileSync } from "node:fs";

/** One parameter of a method or one field of a type, as `bot-api/api.json` documents it. */
export interface SpecField {
  name: string;
  types: string[];
  required: boolean;
  description: string;
}

export interface SpecMethod {
  name: string;
  fields?: SpecField[];
  returns: string[];
}

export interface SpecType {
  name: string;
  fields?: SpecField[];
  /** Present on union types such as `ReactionType` or `InputMedia`. */
  subtypes?: string[];
}

export interface BotApiSpec {
  version: string;
  methods: Record<string, SpecMethod>;
  types: Record<string, SpecType>;
}

let cached: BotApiSpec | undefined;
let byLowerName: Map<string, SpecMethod> | undefined;

/** The whole Bot API as data (read once, lazily). */
export function loadSpec(): BotApiSpec {
  if (!cached) {
    const url = new URL("./bot-api/api.json", import.meta.url);
    cached = JSON.parse(readFileSync(url, "utf8")) as BotApiSpec;
  }
  return cached;
}

/** Telegram method names are case-insensitive. */
export function findMethod(name: string): SpecMethod | undefined {
  if (!byLowerName) {
    byLowerName = new Map(Object.values(loadSpec().methods).map((m) => [m.name.toLowerCase(), m]));
  }
  return byLowerName.get(name.toLowerCase());
}
