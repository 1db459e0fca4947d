/**
 * CCEL ACPI table edge cases (tdx-reference.md §12.1): checksum, length and revision variants.
 * Tables come from encodeCcelTable and are modified here, fixing the checksum where needed.
 */
import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { CCEL_TABLE_SIZE, parseCcelTable } from "../../src/eventlog/ccel-table.js";
import { encodeCcelTable } from "../../src/eventlog/encode.js";

function fixSum(t: Uint8Array): Uint8Array {
  t[9] = 0;
  let s = 0;
  for (const b of t) s = (s + b) & 0xff;
  t[9] = (0x100 - s) & 0xff;
  return t;
}

function code(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (e) {
    if (e instanceof ParseError) return `${e.code}@${e.at?.offset}`;
    throw e;
  }
}

describe("CCEL table", () => {
  const good = encodeCcelTable(0x10000n, 0x7f000000n);
  it("parses the encoder's table", () => {
    expect(parseCcelTable(good)).toMatchObject({
      length: 56,
      revision: 1,
      ccType: 2,
      laml: 0x10000n,
      lasa: 0x7f000000n,
    });
  });
  it("a bad checksum is refused with its offset, or reported when allowed", () => {
    const bad = good.slice();
    bad[9] = (bad[9] as number) ^ 1;
    expect(code(() => parseCcelTable(bad))).toBe("ERR_CCEL_TABLE@9");
    expect(parseCcelTable(bad, { allowBadChecksum: true }).checksumValid).toBe(false);
  });
  it("length below 56 or beyond the buffer is refused; a longer table (newer revision) is accepted", () => {
    const short = good.slice();
    new DataView(short.buffer).setUint32(4, 40, true);
    expect(code(() => parseCcelTable(fixSum(short)))).toBe("ERR_CCEL_TABLE@4");
    expect(code(() => parseCcelTable(good.subarray(0, 50)))).toMatch(/^ERR_CCEL_TABLE@4$|^ERR_TRUNCATED/);
    const long = new Uint8Array(64);
    long.set(good);
    new DataView(long.buffer).setUint32(4, 64, true);
    long[8] = 2;
    const t = parseCcelTable(fixSum(long));
    expect([t.length, t.revision, t.laml]).toEqual([64, 2, 0x10000n]);
    expect(CCEL_TABLE_SIZE).toBe(56);
  });
  it("the older TDEL table is read as a TDX log pointer; other signatures are refused", () => {
    const t = good.slice();
    t.set([0x54, 0x44, 0x45, 0x4c], 0); // "TDEL": bytes 36..39 reserved
    t.set([0, 0, 0, 0], 36);
    expect(parseCcelTable(fixSum(t))).toMatchObject({
      signature: "TDEL",
      ccType: 2,
      laml: 0x10000n,
      lasa: 0x7f000000n,
    });
    t.set([0x46, 0x41, 0x43, 0x50], 0); // "FACP"
    expect(code(() => parseCcelTable(fixSum(t)))).toBe("ERR_CCEL_TABLE@0");
  });
});
