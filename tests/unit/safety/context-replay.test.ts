import { describe, expect, it } from "vitest";
import { replayConversation } from "../../../src/domain/safety/evaluate.ts";

const calm = { r: 0.1, cues: [], crisis: false };

describe("replaying one person's messages through the context rule (the conversation eval)", () => {
  it("finds support by context where no message alone brings it", () => {
    const res = replayConversation([
      { r: 0.6, cues: ["hopelessness"], crisis: false },
      calm,
      { r: 0.6, cues: ["farewell"], crisis: false },
    ]);
    expect(res).toEqual({ alone: null, withContext: 2 });
  });

  it("a calm talk brings nothing; an explicit message brings support by itself", () => {
    expect(replayConversation([calm, calm, calm])).toEqual({ alone: null, withContext: null });
    expect(replayConversation([calm, { r: 2, cues: [], crisis: true }, calm])).toEqual({
      alone: 1,
      withContext: 1,
    });
  });
});
