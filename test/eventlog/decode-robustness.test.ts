/**
 * Decoding, labeling and self-checking never throw on arbitrary event data for any event type
 * (hostile logs are listed as raw, not crashed on), and typed parse errors carry offsets.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTdxError } from "../../src/errors.js";
import { decodeEvent } from "../../src/eventlog/decode.js";
import { parseDstackJson } from "../../src/eventlog/dstack-json.js";
import { labelEvents } from "../../src/eventlog/label.js";
import { selfCheckEvents } from "../../src/eventlog/self-check.js";
import { EV, type TcgEvent, TPM_ALG } from "../../src/eventlog/types.js";

const TYPES = [...Object.values(EV), 0, 0x12345678];

function event(eventType: number, data: Uint8Array, mrIndex = 1): TcgEvent {
  return {
    seq: 0,
    offset: 0,
    mrIndex,
    eventType,
    digests: [{ algorithmId: TPM_ALG.SHA384, digest: new Uint8Array(48) }],
    data,
  };
}

describe("decoder robustness", () => {
  it("decodeEvent/labelEvents/selfCheckEvents accept any data for every type", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TYPES),
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 0, max: 5 }),
        (t, data, mr) => {
          const e = event(t, data, mr);
          const d = decodeEvent(e);
          expect(typeof d.kind).toBe("string");
          expect(labelEvents([e])[0]?.label).toBeTypeOf("string");
          selfCheckEvents([e]);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("length fields that claim more than the data are reported, not trusted", () => {
    // UEFI_VARIABLE_DATA declaring a 2^40-character name
    const v = new Uint8Array(40);
    new DataView(v.buffer).setBigUint64(16, 1n << 40n, true);
    const d = decodeEvent(event(EV.EFI_VARIABLE_DRIVER_CONFIG, v));
    expect(d.kind).toBe("raw");
    expect(d.kind === "raw" && d.error).toMatch(/UefiVariableData\.unicodeName: needs/);
    // HANDOFF_TABLES2 with an absurd table count
    const h = new Uint8Array(1 + 9 + 8);
    h[0] = 9;
    new DataView(h.buffer).setBigUint64(10, 0xffffffffffffn, true);
    expect(decodeEvent(event(EV.EFI_HANDOFF_TABLES2, h)).kind).toBe("raw");
  });

  it("random JSON-ish text gives a log or a TdxError", () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 200 })), (t) => {
        try {
          parseDstackJson(t);
        } catch (e) {
          expect(isTdxError(e)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
