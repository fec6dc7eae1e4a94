import { badRequest } from "../errors.ts";

// What the three parse modes share: the entity shape, byte offsets for error messages, the error.

/** A MessageEntity as the Bot API returns it (offsets and lengths in UTF-16 code units). */
export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
  user?: unknown;
}

export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

export const byteOffset = (source: string, index: number): number =>
  Buffer.byteLength(source.slice(0, index), "utf8");

export const entitiesError = (reason: string) => badRequest(`can't parse entities: ${reason}`);
