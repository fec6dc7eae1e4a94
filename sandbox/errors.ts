/** An error answered to the bot exactly in Telegram's wire shape. */
export class ApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(description);
  }

  toJSON(): { ok: false; error_code: number; description: string; parameters?: object } {
    const body: { ok: false; error_code: number; description: string; parameters?: object } = {
      ok: false,
      error_code: this.errorCode,
      description: this.description,
    };
    if (this.parameters) body.parameters = this.parameters;
    return body;
  }
}

export const badRequest = (reason: string): ApiError => new ApiError(400, `Bad Request: ${reason}`);
export const forbidden = (reason: string): ApiError => new ApiError(403, `Forbidden: ${reason}`);
export const conflict = (reason: string): ApiError => new ApiError(409, `Conflict: ${reason}`);
export const tooManyRequests = (retryAfter: number): ApiError =>
  new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });

/** An error of the control API (`/sandbox/...`), answered as `{error:{code,message}}`. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
