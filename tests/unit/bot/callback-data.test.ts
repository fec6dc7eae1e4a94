import { describe, expect, it } from "vitest";
import { callbackCodec, id, numberIn, oneOf, token } from "../../../src/bot/callback-data.ts";
import * as families from "../../../src/bot/callbacks.ts";

describe("typed callback data", () => {
  const proposal = callbackCodec("m", { answer: oneOf(["a", "d"]), match: id });
  const step = callbackCodec(
    "p",
    { step: oneOf(["topics", "bio"]), action: oneOf(["done", "pick"]), arg: token },
    "arg",
  );

  it("packs and unpacks the same values", () => {
    expect(proposal.pack({ answer: "a", match: 42 })).toBe("m:a:42");
    expect(proposal.unpack("m:d:7")).toEqual({ answer: "d", match: 7 });
    expect(step.pack({ step: "topics", action: "done" })).toBe("p:topics:done");
    expect(step.pack({ step: "bio", action: "pick", arg: "2" })).toBe("p:bio:pick:2");
    expect(step.unpack("p:bio:pick:2")).toEqual({ step: "bio", action: "pick", arg: "2" });
    expect(step.unpack("p:topics:done")).toEqual({ step: "topics", action: "done" });
  });

  it("does not unpack forged or foreign data, so a handler never sees it", () => {
    for (const data of [
      "m:x:1",
      "m:a:",
      "m:a:1:2",
      "m:a:1234567890123456",
      "mm:a:1",
      "p:card:done",
      undefined,
    ]) {
      expect(proposal.unpack(data), String(data)).toBeNull();
      if (data) expect(proposal.filter.test(data), data).toBe(false);
    }
    expect(step.unpack("p:topics:drop")).toBeNull();
    expect(step.unpack("p:topics:done:a:b")).toBeNull();
  });

  it("numbers from a fixed set only", () => {
    const rate = callbackCodec("c:rate", { session: id, stars: numberIn([1, 2, 3, 4, 5]) });
    expect(rate.unpack("c:rate:9:5")).toEqual({ session: 9, stars: 5 });
    expect(rate.unpack("c:rate:9:6")).toBeNull();
  });

  it("refuses to pack data Telegram would reject (over 64 bytes) or that its own filter would not read", () => {
    const long = callbackCodec("x", { arg: token });
    expect(() => long.pack({ arg: "я".repeat(40) })).toThrow(/does not fit/);
    expect(() => long.pack({ arg: "a:b" })).toThrow(/does not fit/);
  });

  it("only the last field may be optional", () => {
    expect(() => callbackCodec("x", { a: id, b: id }, "a")).toThrow(/only the last/);
  });

  it("every family of the bot reads back what it packs", () => {
    expect(
      families.profileButton.unpack(
        families.profileButton.pack({ step: "weights", action: "set", arg: "12-3" }),
      ),
    ).toEqual({ step: "weights", action: "set", arg: "12-3" });
    expect(families.sosButton.unpack(families.sosButton.pack({}))).toEqual({});
    expect(families.sosButton.unpack("s:sos:pick")).toEqual({ choice: "pick" });
    expect(families.sosButton.unpack("s:sos:GE")).toEqual({ choice: "GE" });
    expect(families.peerConcern.unpack(families.peerConcern.pack({ answer: "yes", session: 42 }))).toEqual({
      answer: "yes",
      session: 42,
    });
    expect(families.peerConcern.unpack("s:worry:yes")).toBeNull();
    expect(families.sosButton.unpack("s:worry:ask:42")).toBeNull();
    expect(families.modAction.unpack("mod:unsuspend:u:5")).toEqual({
      action: "unsuspend",
      kind: "u",
      target: 5,
    });
    expect(families.modAction.unpack("mod:text:r:5")).toBeNull();
    expect(families.reportReason.unpack("rp:r:3:abuse")).toEqual({ session: 3, reason: "abuse" });
    expect(families.reportReason.unpack("rp:r:3:rude")).toBeNull();
    expect(families.timerOffer.unpack("c:tm:offer:48")).toEqual({ hours: 48 });
    expect(families.timerOffer.unpack("c:tm:offer:12")).toBeNull();
  });
});
