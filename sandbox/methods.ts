import { findMethod } from "./api-spec.ts";
import { ApiError } from "./errors.ts";
import { checkLimits } from "./limits.ts";
import { botSettingsMethods } from "./methods/bot-settings.ts";
import { chatMethods } from "./methods/chats.ts";
import type { Handler } from "./methods/context.ts";
import { editMethods } from "./methods/edits.ts";
import { mediaMethods } from "./methods/media.ts";
import { messageMethods } from "./methods/messages.ts";
import { paymentMethods } from "./methods/payments.ts";
import { sessionMethods } from "./methods/session.ts";
import { normaliseReplyKeyboard, type Upload, validateParams } from "./validate.ts";
import { takeFault } from "./world/faults.ts";
import type { BotState } from "./world/state.ts";
import type { World } from "./world.ts";

export { commandsFor, commandsKey } from "./methods/bot-settings.ts";

/** Every emulated method by its canonical name; one file per family in ./methods/. */
const HANDLERS: Record<string, Handler> = {
  ...sessionMethods,
  ...messageMethods,
  ...mediaMethods,
  ...editMethods,
  ...chatMethods,
  ...botSettingsMethods,
  ...paymentMethods,
};

export interface CallOutcome {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Runs one Bot API call the way Telegram would: injected faults first, then api.json validation and
 * the limits table, then the method itself. Never throws; always returns Telegram's response shape.
 */
export async function callMethod(
  world: World,
  bot: BotState,
  methodName: string,
  raw: Record<string, unknown>,
  uploads: ReadonlyMap<string, Upload> = new Map(),
  onDisconnect: (cb: () => void) => void = () => {},
): Promise<CallOutcome> {
  const spec = findMethod(methodName);
  if (!spec) {
    return { status: 404, body: { ok: false, error_code: 404, description: "Not Found" } };
  }
  const method = spec.name;
  try {
    const fault = takeFault(world, method);
    const latencyMs = fault.latencyMs + (world.opts.apiLatencyMs ?? 0);
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    if (fault.error) throw fault.error;
    if (raw.reply_markup !== undefined)
      raw = { ...raw, reply_markup: normaliseReplyKeyboard(raw.reply_markup) };
    const params = validateParams(spec, raw, uploads);
    checkLimits(method, params);
    const handler = HANDLERS[method] ?? fallback(method, spec.returns);
    const result = await handler({ world, bot, params, raw, uploads, onDisconnect });
    world.recordCall({ bot_id: bot.id, method, params: raw, ok: true, result });
    return { status: 200, body: { ok: true, result } };
  } catch (err) {
    const apiError =
      err instanceof ApiError
        ? err
        : new ApiError(500, `Internal Server Error: ${(err as Error)?.message ?? err}`);
    if (!(err instanceof ApiError)) world.opts.logger.error?.({ err, method }, "sandbox method crashed");
    const body = apiError.toJSON();
    const error: { error_code: number; description: string; parameters?: unknown } = {
      error_code: body.error_code,
      description: body.description,
    };
    if (body.parameters) error.parameters = body.parameters;
    world.recordCall({ bot_id: bot.id, method, params: raw, ok: false, error });
    return { status: apiError.errorCode, body: body as unknown as Record<string, unknown> };
  }
}

function fallback(method: string, returns: string[]): Handler {
  // Setters nobody here depends on are accepted (and logged) so a bot's setup code runs; anything
  // that must return data is refused loudly rather than answered with made-up content.
  if (/^(set|delete|unpin|pin)/.test(method) && returns.length === 1 && returns[0] === "Boolean") {
    return ({ world }) => {
      world.opts.logger.warn?.({ method }, "sandbox accepted a method it does not emulate");
      return true;
    };
  }
  return () => {
    throw new ApiError(501, `Not Implemented: the sandbox does not emulate ${method}`);
  };
}
