import { describe, expect, it } from "vitest";

import { addOpenMinutes, closedPeriodStart, isOpen, nextOpening, readBusinessHours } from "../app/business-hours";

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
