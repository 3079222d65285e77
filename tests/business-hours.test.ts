import { describe, expect, it } from "vitest";

import { addOpenMinutes, closedPeriodStart, isOpen, nextOpening, readBusinessHours } from "../app/messaging/business-hours";

// Monday to Friday 09:00–18:00, Saturday 10:00–14:00, Sunday closed.
const week = [[], ...Array.from({ length: 5 }, () => [{ open: "09:00", close: "18:00" }]), [{ open: "10:00", close: "14:00" }]];
const hours = readBusinessHours(week)!;
const tz = "America/Sao_Paulo"; // UTC-3, no daylight saving time since 2019

describe("opening hours in the shop's timezone", () => {
  it("reads only seven valid days, and none set as always open", () => {
    expect(readBusinessHours(null)).toBeNull();
    expect(readBusinessHours(Array.from({ length: 7 }, () => []))).toBeNull();
    expect(readBusinessHours([[{ open: "18:00", close: "09:00" }], [], [], [], [], [], []])).toBeNull();
    expect(readBusinessHours(week.slice(0, 6))).toBeNull();
    expect(isOpen(null, tz, new Date())).toBe(true);
  });

  it("is open by local time, not UTC", () => {
    // Wednesday 2026-11-25 08:30 local = 11:30 UTC: closed; 09:30 local open; 17:59 open; 18:00 closed.
    expect(isOpen(hours, tz, new Date("2026-11-25T11:30:00Z"))).toBe(false);
    expect(isOpen(hours, tz, new Date("2026-11-25T12:30:00Z"))).toBe(true);
    expect(isOpen(hours, tz, new Date("2026-11-25T20:59:00Z"))).toBe(true);
    expect(isOpen(hours, tz, new Date("2026-11-25T21:00:00Z"))).toBe(false);
  });

  it("names the next opening and the closed period it is in", () => {
    // Saturday 2026-11-28 15:00 local: closed since 14:00; opens Monday 09:00.
    const saturday = new Date("2026-11-28T18:00:00Z");
    expect(nextOpening(hours, tz, saturday)?.toISOString()).toBe("2026-11-30T12:00:00.000Z");
    expect(closedPeriodStart(hours, tz, saturday)?.toISOString()).toBe("2026-11-28T17:00:00.000Z");
    // Sunday night is the same closed period: one away reply for both.
    expect(closedPeriodStart(hours, tz, new Date("2026-11-30T01:00:00Z"))?.toISOString()).toBe("2026-11-28T17:00:00.000Z");
    expect(closedPeriodStart(hours, tz, new Date("2026-11-30T13:00:00Z"))).toBeNull();
  });

  it("counts a target in opening minutes only", () => {
    // Friday 17:50 local + 15 open minutes: 10 on Friday, 5 on Saturday from 10:00.
    expect(addOpenMinutes(hours, tz, new Date("2026-11-27T20:50:00Z"), 15).toISOString()).toBe("2026-11-28T13:05:00.000Z");
    // Written on Sunday: due 15 minutes after Monday's opening.
    expect(addOpenMinutes(hours, tz, new Date("2026-11-29T15:00:00Z"), 15).toISOString()).toBe("2026-11-30T12:15:00.000Z");
    expect(addOpenMinutes(null, tz, new Date("2026-11-29T15:00:00Z"), 15).toISOString()).toBe("2026-11-29T15:15:00.000Z");
  });

  it("keeps local hours across a daylight-saving change", () => {
    // New York falls back on Sunday 2026-11-01: Monday 09:00 local is 14:00 UTC (it was 13:00 the Monday before).
    const ny = readBusinessHours([[], [{ open: "09:00", close: "17:00" }], [], [], [], [], []])!;
    expect(nextOpening(ny, "America/New_York", new Date("2026-10-27T00:00:00Z"))?.toISOString()).toBe("2026-11-02T14:00:00.000Z");
    expect(nextOpening(ny, "America/New_York", new Date("2026-10-25T00:00:00Z"))?.toISOString()).toBe("2026-10-26T13:00:00.000Z");
  });
});

describe("opening hours, odd inputs", () => {
  it("refuses overlapping ranges and reads a timezone the runtime does not know as UTC", () => {
    expect(
      readBusinessHours([
        [
          { open: "09:00", close: "13:00" },
          { open: "12:00", close: "18:00" },
        ],
        [],
        [],
        [],
        [],
        [],
        [],
      ]),
    ).toBeNull();
    const allWeek = readBusinessHours(Array.from({ length: 7 }, () => [{ open: "09:00", close: "18:00" }]))!;
    // Meta reports some accounts' timezone as a number; Shopify's is IANA, but nothing here may compute an invalid date.
    expect(isOpen(allWeek, "Mars/Olympus", new Date("2026-11-25T10:00:00Z"))).toBe(true);
    expect(closedPeriodStart(allWeek, "Mars/Olympus", new Date("2026-11-25T20:00:00Z"))?.toISOString()).toBe("2026-11-25T18:00:00.000Z");
    expect(addOpenMinutes(allWeek, "Mars/Olympus", new Date("2026-11-25T17:50:00Z"), 15).toISOString()).toBe("2026-11-26T09:05:00.000Z");
  });

  it("closes at midnight with 24:00 and counts a target across a daylight-saving change", () => {
    const late = readBusinessHours(Array.from({ length: 7 }, () => [{ open: "20:00", close: "24:00" }]))!;
    expect(isOpen(late, "UTC", new Date("2026-11-25T23:59:00Z"))).toBe(true);
    expect(closedPeriodStart(late, "UTC", new Date("2026-11-26T00:30:00Z"))?.toISOString()).toBe("2026-11-26T00:00:00.000Z");
    // New York, Saturday 2026-10-31 16:55 local + 10 open minutes: 5 that day, 5 on Monday 2026-11-02 from 09:00 EST (14:00 UTC).
    const weekdays = readBusinessHours([[], ...Array.from({ length: 5 }, () => [{ open: "09:00", close: "17:00" }]), [{ open: "09:00", close: "17:00" }]])!;
    expect(addOpenMinutes(weekdays, "America/New_York", new Date("2026-10-31T20:55:00Z"), 10).toISOString()).toBe("2026-11-02T14:05:00.000Z");
  });
});
