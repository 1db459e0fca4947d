import { describe, expect, it } from "vitest";
import { fixture, fixturePath, fixturesDir } from "./fixtures.js";

describe("shared fixture helper", () => {
  it("finds the shared fixture folder and its manifest", () => {
    expect(fixturePath("MANIFEST.md")).toContain(fixturesDir());
    expect(fixture("quotes/dcapqvl-tdx-v4.dat").length).toBe(5006);
  });

  it("throws (never skips) for a missing fixture", () => {
    expect(() => fixture("quotes/does-not-exist.dat")).toThrow(/missing shared fixture/);
  });
});
