/**
 * Event data the golden computation and the simulated TDVF write, byte for byte against a real
 * TDVF log (fixture trustee-ovmf-ccel.bin, tdx-reference.md §12.4): edk2 sizes the description
 * arrays with `sizeof` of the string literal, so both "TdxTable" and the CFV's
 * "Fv(XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX)" carry their NUL and the size byte counts it.
 */
import { describe, expect, it } from "vitest";
import { readU64, toHex } from "../../src/bytes.js";
import { parseTcg2Log } from "../../src/eventlog/tcg2.js";
import { EV } from "../../src/eventlog/types.js";
import { cfvEventData, tdHobEventData } from "../../src/measure/rtmr-events.js";
import { fixture } from "../support/fixtures.js";

const log = parseTcg2Log(fixture("eventlogs/trustee-ovmf-ccel.bin"));

function first(type: number): Uint8Array {
  const e = log.events.find((x) => x.eventType === type);
  if (!e) throw new Error(`no event 0x${type.toString(16)}`);
  return e.data;
}

describe("TDVF event data formats against a real OVMF log", () => {
  it("CFV EV_EFI_PLATFORM_FIRMWARE_BLOB2: description with its NUL, base, length", () => {
    const real = first(EV.EFI_PLATFORM_FIRMWARE_BLOB2);
    expect(real[0]).toBe(41);
    const base = Number(readU64(real, real.length - 16));
    const length = Number(readU64(real, real.length - 8));
    expect(toHex(cfvEventData(base, length))).toBe(toHex(real));
  });
  it("TD HOB EV_EFI_HANDOFF_TABLES2: 'TdxTable' with its NUL, one table, the HOB address", () => {
    const real = first(EV.EFI_HANDOFF_TABLES2);
    expect(toHex(tdHobEventData(Number(readU64(real, real.length - 8))))).toBe(toHex(real));
  });
});
