import { describe, expect, it, vi } from "vitest";
import { answerWithin } from "../../../src/http/routes/webhook.ts";

describe("the webhook's answer waits for the update, within a budget", () => {
  it("answers when handling is done, and throws a failure inside the budget (the update is given back)", async () => {
    await expect(answerWithin(Promise.resolve(), 1000, () => {})).resolves.toBe("done");
    await expect(answerWithin(Promise.reject(new Error("db down")), 1000, () => {})).rejects.toThrow(
      "db down",
    );
  });

  it("past the budget answers anyway; a later failure is reported, never left unhandled", async () => {
    const unhandled = vi.fn();
    process.on("unhandledRejection", unhandled);
    try {
      let fail!: (err: Error) => void;
      const work = new Promise<void>((_, reject) => {
        fail = reject;
      });
      const late = vi.fn();
      await expect(answerWithin(work, 20, late)).resolves.toBe("late");
      fail(new Error("Bad Gateway"));
      await new Promise((r) => setTimeout(r, 20));
      expect(late).toHaveBeenCalledWith(expect.objectContaining({ message: "Bad Gateway" }));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off("unhandledRejection", unhandled);
    }
  });
});
