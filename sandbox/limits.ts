import { badRequest } from "./errors.ts";
import { type FormattedText, formatText } from "./formatting.ts";

/**
 * Telegram's documented limits, in one table. Length rules are checked for every call of the listed
 * methods after type validation; text and caption limits are checked after entity parsing.
 */
export const LIMITS = {
  textMax: 4096,
  captionMax: 1024,
  callbackDataMaxBytes: 64,
  callbackAnswerTextMax: 200,
  mediaGroupMin: 2,
  mediaGroupMax: 10,
  commandsMax: 100,
  preCheckoutTimeoutMs: 10_000,
} as const;

interface LengthRule {
  methods: readonly string[];
  field: string;
  min: number;
  max: number;
  unit: "chars" | "bytes";
  /** Description after "Bad Request: ". */
  error: string;
}

export const LENGTH_RULES: readonly LengthRule[] = [
  {
    methods: ["answerCallbackQuery"],
    field: "text",
    min: 0,
    max: 200,
    unit: "chars",
    error: "MESSAGE_TOO_LONG",
  },
  {
    methods: ["sendInvoice", "createInvoiceLink"],
    field: "title",
    min: 1,
    max: 32,
    unit: "chars",
    error: "TITLE_INVALID",
  },
  {
    methods: ["sendInvoice", "createInvoiceLink"],
    field: "description",
    min: 1,
    max: 255,
    unit: "chars",
    error: "DESCRIPTION_INVALID",
  },
  {
    methods: ["sendInvoice", "createInvoiceLink"],
    field: "payload",
    min: 1,
    max: 128,
    unit: "bytes",
    error: "INVOICE_PAYLOAD_INVALID",
  },
  {
    methods: ["setWebhook"],
    field: "secret_token",
    min: 1,
    max: 256,
    unit: "chars",
    error: "secret token is invalid",
  },
  {
    methods: ["setMyDescription"],
    field: "description",
    min: 0,
    max: 512,
    unit: "chars",
    error: "description is too long",
  },
  {
    methods: ["setMyShortDescription"],
    field: "short_description",
    min: 0,
    max: 120,
    unit: "chars",
    error: "short description is too long",
  },
  { methods: ["setMyName"], field: "name", min: 0, max: 64, unit: "chars", error: "name is too long" },
  {
    methods: ["answerPreCheckoutQuery"],
    field: "error_message",
    min: 0,
    max: 255,
    unit: "chars",
    error: "error message is too long",
  },
];

const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);

const measure = (value: string, unit: "chars" | "bytes"): number =>
  unit === "bytes" ? Buffer.byteLength(value, "utf8") : value.length;

/** Static (content-independent) rules for a validated call. Throws ApiError on the first violation. */
export function checkLimits(method: string, params: Record<string, unknown>): void {
  for (const rule of LENGTH_RULES) {
    if (!rule.methods.includes(method)) continue;
    const value = params[rule.field];
    if (typeof value !== "string") continue;
    const n = measure(value, rule.unit);
    if (n < rule.min || n > rule.max) throw badRequest(rule.error);
  }
  if (params.reply_markup !== undefined) {
    checkReplyMarkup(params.reply_markup, { isInvoice: method === "sendInvoice" });
  }
  switch (method) {
    case "sendInvoice":
    case "createInvoiceLink":
      checkInvoice(params);
      break;
    case "sendChatAction":
      if (!CHAT_ACTIONS.has(String(params.action))) throw badRequest("wrong parameter action in request");
      break;
    case "setMyCommands":
      checkCommands(params.commands);
      break;
    case "sendMediaGroup": {
      const media = params.media as unknown[];
      if (media.length < LIMITS.mediaGroupMin || media.length > LIMITS.mediaGroupMax) {
        throw badRequest("wrong number of media in the group: must be 2-10");
      }
      break;
    }
    case "setWebhook": {
      const token = params.secret_token;
      if (typeof token === "string" && !/^[A-Za-z0-9_-]+$/.test(token)) {
        throw badRequest("secret token contains unallowed characters");
      }
      break;
    }
    case "answerPreCheckoutQuery":
      if (params.ok === false && !params.error_message) throw badRequest("ERROR_TEXT_EMPTY");
      break;
    case "getUpdates": {
      const limit = params.limit;
      if (typeof limit === "number") params.limit = Math.min(100, Math.max(1, limit));
      break;
    }
  }
}

const INLINE_ACTION_FIELDS = [
  "url",
  "callback_data",
  "web_app",
  "login_url",
  "switch_inline_query",
  "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat",
  "copy_text",
  "callback_game",
  "pay",
] as const;

/** Structure rules of reply_markup that api.json's types alone do not express. */
export function checkReplyMarkup(markup: unknown, opts: { isInvoice: boolean }): void {
  const m = markup as Record<string, unknown>;
  if (Array.isArray(m.inline_keyboard)) {
    const rows = m.inline_keyboard as Record<string, unknown>[][];
    rows.forEach((row, r) => {
      row.forEach((button, c) => {
        if (typeof button.text !== "string" || button.text.length === 0)
          throw badRequest("BUTTON_TEXT_INVALID");
        const actions = INLINE_ACTION_FIELDS.filter((f) => button[f] !== undefined && button[f] !== false);
        if (actions.length === 0) {
          throw badRequest(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
          );
        }
        if (actions.length > 1) {
          throw badRequest(
            `can't parse inline keyboard button: exactly one of the optional fields must be used, found ${actions.join(", ")}`,
          );
        }
        if (typeof button.callback_data === "string") {
          const bytes = Buffer.byteLength(button.callback_data, "utf8");
          if (bytes < 1 || bytes > LIMITS.callbackDataMaxBytes) throw badRequest("BUTTON_DATA_INVALID");
        }
        if (typeof button.url === "string" && !/^(https?|tg):\/\/\S+$/i.test(button.url)) {
          throw badRequest("BUTTON_URL_INVALID");
        }
        if (button.pay === true) {
          if (!opts.isInvoice) throw badRequest("BUTTON_TYPE_INVALID");
          if (r !== 0 || c !== 0)
            throw badRequest("can't parse inline keyboard button: pay button must be the first");
        }
      });
    });
    if (opts.isInvoice && rows.length > 0) {
      const first = rows[0]?.[0];
      if (first?.pay !== true)
        throw badRequest("can't parse inline keyboard button: pay button must be the first");
    }
    return;
  }
  if (Array.isArray(m.keyboard)) {
    for (const row of m.keyboard as Record<string, unknown>[][]) {
      for (const button of row) {
        if (typeof button.text !== "string" || button.text.length === 0)
          throw badRequest("BUTTON_TEXT_INVALID");
      }
    }
  }
}

function checkInvoice(params: Record<string, unknown>): void {
  const currency = String(params.currency);
  if (!/^[A-Z]{3}$/.test(currency)) throw badRequest("CURRENCY_INVALID");
  const prices = params.prices as { label: string; amount: number }[];
  if (prices.length === 0) throw badRequest("CURRENCY_TOTAL_AMOUNT_INVALID");
  for (const p of prices) {
    if (!Number.isInteger(p.amount) || p.amount <= 0) throw badRequest("CURRENCY_TOTAL_AMOUNT_INVALID");
  }
  if (currency === "XTR") {
    const token = params.provider_token;
    if (typeof token === "string" && token.length > 0) throw badRequest("STARS_INVOICE_INVALID");
    if (prices.length !== 1) throw badRequest("STARS_INVOICE_INVALID");
    if (params.max_tip_amount !== undefined || params.suggested_tip_amounts !== undefined) {
      throw badRequest("STARS_INVOICE_INVALID");
    }
  } else if (typeof params.provider_token !== "string" || params.provider_token.length === 0) {
    throw badRequest("PAYMENT_PROVIDER_INVALID");
  }
}

function checkCommands(commands: unknown): void {
  const list = commands as { command: string; description: string }[];
  if (list.length > LIMITS.commandsMax) throw badRequest("BOT_COMMANDS_TOO_MUCH");
  for (const c of list) {
    if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest("BOT_COMMAND_INVALID");
    if (c.description.length < 1 || c.description.length > 256)
      throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
  }
}

/** Message text: parsed, then 1-4096 characters. */
export function prepareMessageText(text: unknown, parseMode: unknown, entities: unknown): FormattedText {
  const formatted = formatText(typeof text === "string" ? text : "", parseMode, entities);
  if (formatted.text.length === 0) throw badRequest("message text is empty");
  if (formatted.text.length > LIMITS.textMax) throw badRequest("message is too long");
  return formatted;
}

/** Media caption: parsed, then 0-1024 characters. */
export function prepareCaption(caption: unknown, parseMode: unknown, entities: unknown): FormattedText {
  if (typeof caption !== "string") return { text: "", entities: [] };
  const formatted = formatText(caption, parseMode, entities);
  if (formatted.text.length > LIMITS.captionMax) throw badRequest("message caption is too long");
  return formatted;
}
