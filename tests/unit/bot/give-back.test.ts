import { GrammyError, HttpError } from "grammy";
import { describe, expect, it } from "vitest";
import { GiveBackError, unavailableDependency } from "../../../src/bot/give-back.ts";

const grammyError = (code: number) =>
  new GrammyError("call failed", { ok: false, error_code: code, description: "x" }, "sendMessage", {});

describe("which failures give an update back to Telegram", () => {
  it("Telegram: 5xx, 429 and the network; not a 400 or 403", () => {
    expect(unavailableDependency(grammyError(502))).toBe("telegram");
    expect(unavailableDependency(grammyError(429))).toBe("telegram");
    expect(unavailableDependency(new HttpError("Network request failed", new Error("ECONNRESET")))).toBe(
      "telegram",
    );
    expect(unavailableDependency(grammyError(400))).toBeNull();
    expect(unavailableDependency(grammyError(403))).toBeNull();
  });

  it("PostgreSQL and Redis going away, also when wrapped as a cause", () => {
    const adminShutdown = Object.assign(new Error("terminating connection due to administrator command"), {
      code: "57P01",
    });
    expect(unavailableDependency(adminShutdown)).toBe("storage");
    expect(unavailableDependency(Object.assign(new Error("connect"), { code: "ECONNREFUSED" }))).toBe(
      "storage",
    );
    expect(
      unavailableDependency(
        new Error("Failed query", { cause: new Error("Connection terminated unexpectedly") }),
      ),
    ).toBe("storage");
    expect(unavailableDependency(new Error("Connection is closed."))).toBe("storage");
    expect(
      unavailableDependency(new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })])),
    ).toBe("storage");
    expect(unavailableDependency(new GiveBackError("busy elsewhere"))).toBe("storage");
  });

  it("the bot's own bugs and bad data are not outages", () => {
    expect(unavailableDependency(new TypeError("cannot read properties of undefined"))).toBeNull();
    // A unique violation is a real answer from a working database.
    expect(unavailableDependency(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBeNull();
    expect(unavailableDependency(undefined)).toBeNull();
  });
});
