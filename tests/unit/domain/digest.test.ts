import { describe, expect, it } from "vitest";
import { windowsToMask } from "../../../src/domain/availability.ts";
import {
  DEFAULT_DIGEST_HOUR,
  digestArm,
  digestMinute,
  nextDigestAt,
  topSharedTopics,
} from "../../../src/domain/digest.ts";

const DAY = 24 * 3600_000;

/** Local wall time of an instant in a zone: [weekday 0=Mon, hour, minute]. */
function localParts(at: Date, zone: string): [string, number, number] {
  const f = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const get = (t: string) => f.find((p) => p.type === t)!.value;
  return [get("weekday"), Number(get("hour")), Number(get("minute"))];
}

describe("the weekly digest's schedule", () => {
  const anchor = new Date("2026-05-06T09:00:00Z"); // a Wednesday

  it("with no windows: the default evening hour in the person's zone, a week later, at their minute", () => {
    for (const zone of ["Europe/Moscow", "Asia/Tbilisi", "America/New_York", "Asia/Kolkata"]) {
      const at = nextDigestAt(anchor, { availLocal: 0, zone, userId: 42 });
      const [, hour, minute] = localParts(at, zone);
      expect(hour).toBe(DEFAULT_DIGEST_HOUR);
      expect(minute).toBe(digestMinute(42));
      const gap = at.getTime() - anchor.getTime();
      expect(gap).toBeGreaterThanOrEqual(6 * DAY);
      expect(gap).toBeLessThanOrEqual(8 * DAY);
    }
  });

  it("«any time» counts as no preference: the evening, not the middle of the night", () => {
    const at = nextDigestAt(anchor, { availLocal: 0xff, zone: "Europe/Berlin", userId: 7 });
    expect(localParts(at, "Europe/Berlin")[1]).toBe(DEFAULT_DIGEST_HOUR);
  });

  it("inside the chosen windows: weekend mornings only → a Saturday or Sunday at 10 local", () => {
    const availLocal = windowsToMask(["weekend_morning"]);
    const at = nextDigestAt(anchor, { availLocal, zone: "Asia/Almaty", userId: 3 });
    const [weekday, hour] = localParts(at, "Asia/Almaty");
    expect(["Sat", "Sun"]).toContain(weekday);
    expect(hour).toBe(10);
    expect(at.getTime() - anchor.getTime()).toBeGreaterThanOrEqual(6 * DAY);
  });

  it("weekday days only: the nearest weekday afternoon to a week later", () => {
    const availLocal = windowsToMask(["weekday_day"]);
    const at = nextDigestAt(anchor, { availLocal, zone: "Europe/Moscow", userId: 11 });
    const [weekday, hour] = localParts(at, "Europe/Moscow");
    // A week after Wednesday 12:00 Moscow is Wednesday: its 14:xx is the nearest.
    expect(weekday).toBe("Wed");
    expect(hour).toBe(14);
  });

  it("never less than 6 days apart, whatever the windows and zone", () => {
    let t = new Date("2026-03-01T00:00:00Z");
    for (let i = 0; i < 300; i++) {
      const availLocal = (i * 37) % 256;
      const zone = ["Europe/Moscow", "America/Los_Angeles", "Asia/Kathmandu", "Pacific/Auckland"][i % 4]!;
      const next = nextDigestAt(t, { availLocal, zone, userId: i });
      expect(next.getTime() - t.getTime()).toBeGreaterThanOrEqual(6 * DAY);
      expect(next.getTime() - t.getTime()).toBeLessThan(14 * DAY);
      t = new Date(t.getTime() + 29 * 3600_000 + i * 60_000);
    }
  });

  it("keeps the local hour across a daylight-saving change (Berlin, end of March)", () => {
    const before = new Date("2026-03-24T18:00:00Z"); // Tuesday, CET
    const at = nextDigestAt(before, { availLocal: 0, zone: "Europe/Berlin", userId: 5 });
    expect(localParts(at, "Europe/Berlin")[1]).toBe(DEFAULT_DIGEST_HOUR);
    // 19:xx CEST is 17:xx UTC after the change.
    expect(at.getUTCHours()).toBe(17);
  });

  it("without a zone it assumes Moscow", () => {
    const at = nextDigestAt(anchor, { availLocal: 0, zone: null, userId: 9 });
    expect(localParts(at, "Europe/Moscow")[1]).toBe(DEFAULT_DIGEST_HOUR);
  });

  it("spreads people over the hour: minutes are fixed per person and cover the hour", () => {
    const minutes = new Set<number>();
    for (let id = 1; id <= 2000; id++) {
      expect(digestMinute(id)).toBe(digestMinute(id));
      minutes.add(digestMinute(id));
    }
    expect(minutes.size).toBe(60);
  });
});

describe("the digest's rollout arm", () => {
  it("is deterministic per person and close to the share asked for", () => {
    let inDigest = 0;
    for (let id = 1; id <= 10_000; id++) {
      const arm = digestArm(id, 50);
      expect(digestArm(id, 50)).toBe(arm);
      if (arm === "digest") inDigest++;
    }
    expect(inDigest).toBeGreaterThan(4_700);
    expect(inDigest).toBeLessThan(5_300);
  });

  it("100 % sends to everyone, 0 % to no one; a larger share keeps everyone the smaller had", () => {
    for (let id = 1; id <= 500; id++) {
      expect(digestArm(id, 100)).toBe("digest");
      expect(digestArm(id, 0)).toBe("control");
      if (digestArm(id, 20) === "digest") expect(digestArm(id, 60)).toBe("digest");
    }
  });
});

describe("the digest's topics", () => {
  it("names at most three, the most shared first", () => {
    expect(topSharedTopics([[5, 2], [2, 9], [2, 5], [7], [9]])).toEqual([2, 5, 9]);
    expect(topSharedTopics([])).toEqual([]);
    expect(topSharedTopics([[4]])).toEqual([4]);
  });
});
