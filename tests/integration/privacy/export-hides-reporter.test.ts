import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { visibleEndReason } from "../../../src/services/privacy/index.ts";
import { startChat } from "../../helpers/fixtures.ts";
import { createServiceWorld, type ServiceWorld } from "../../helpers/service-world.ts";

describe("/export shows what the person could already see", () => {
  let w: ServiceWorld;
  beforeAll(async () => {
    w = await createServiceWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  it("a reported or blocked person sees «ended by the peer», never the reason or the peer's rating of them", async () => {
    for (const how of ["report", "block"] as const) {
      const [a, b] = await w.people(2, how === "report" ? ["pet-loss", "panic"] : ["bullying", "insomnia"]);
      const { sessionId } = await startChat(w.services, { between: [a!, b!] });
      if (how === "report")
        expect((await w.moderation.report({ reporterId: a!, reason: "abuse" })).ok).toBe(true);
      else expect((await w.moderation.block(a!)).ok).toBe(true);
      await w.services.chats.rate(a!, sessionId, 1);
      const exported = await w.services.privacy.export(b!);
      const text = JSON.stringify(exported);
      const conversation = exported!.conversations.find((c) => c.session?.sessionId === sessionId);
      expect(conversation?.session).toMatchObject({ endReason: "ended_by_peer", endedByMe: false });
      expect(text).not.toMatch(/"reported"|"blocked"|ratingIReceived/);
      expect(exported!.profile.helpfulness).toEqual({ ratingCount: 1, averageRating: null });
      // The one who acted sees what they did.
      const own = await w.services.privacy.export(a!);
      expect(own!.conversations.find((c) => c.session?.sessionId === sessionId)?.session).toMatchObject({
        endReason: how === "report" ? "reported" : "blocked",
        endedByMe: true,
        ratingIGave: 1,
      });
    }
  });

  it("maps every end reason", () => {
    expect(visibleEndReason("banned", false)).toBe("ended_by_peer");
    expect(visibleEndReason("deleted", false)).toBe("ended_by_peer");
    expect(visibleEndReason("expired", false)).toBe("expired");
    expect(visibleEndReason("reported", true)).toBe("reported");
    expect(visibleEndReason(null, false)).toBeNull();
  });
});
