import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  attributeNames,
  CONFIG_FLAG_BITS,
  configFlagNames,
  parseAttributeNames,
  parseConfigFlagNames,
  parseXfamNames,
  TD_ATTRIBUTE_BITS,
  u64MemoryHex,
  XFAM_BITS,
  xfamNames,
} from "../../src/abi/flags.js";
import {
  emptyTdParams,
  encodeTdParams,
  parseTdParams,
  TD_PARAMS_LAYOUT,
  TD_PARAMS_SIZE,
  tdParamsReservedFindings,
} from "../../src/abi/td-params.js";
import { TdxError } from "../../src/errors.js";

describe("TD_PARAMS layout (§2.1)", () => {
  it("fields are contiguous and end at 1024", () => {
    let next = 0;
    for (const [name, f] of Object.entries(TD_PARAMS_LAYOUT)) {
      expect(f.offset, name).toBe(next);
      next = f.offset + f.size;
    }
    expect(next).toBe(TD_PARAMS_SIZE);
  });

  it("decodes fields at the offsets of the spec table", () => {
    // Build the bytes by hand with DataView at the §2.1 offsets, independently of the encoder.
    const b = new Uint8Array(1024);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, 0x10000000n, true);
    v.setBigUint64(8, 0x602e7n, true);
    v.setUint16(16, 8, true);
    b[18] = 2;
    b[19] = 1;
    v.setBigUint64(24, 0x1en, true);
    v.setBigUint64(32, 0x5n, true);
    v.setUint16(40, 100, true);
    b.fill(0xaa, 80, 128);
    b.fill(0xbb, 128, 176);
    b.fill(0xcc, 176, 224);
    v.setBigUint64(224, 0x1234n, true);
    v.setUint32(256, 0x11, true);
    v.setUint32(256 + 12, 0x44, true);
    v.setUint32(256 + 16 * 5 + 4, 0x77, true);
    const p = parseTdParams(b, { numCpuidConfig: 6 });
    expect(p.attributes).toBe(0x10000000n);
    expect(attributeNames(p.attributes)).toEqual(["SEPT_VE_DISABLE"]);
    expect(p.xfam).toBe(0x602e7n);
    expect(p.maxVcpus).toBe(8);
    expect(p.numL2Vms).toBe(2);
    expect(p.msrConfigCtls).toBe(1);
    expect(p.eptpControls).toBe(0x1en);
    expect(p.configFlags).toBe(5n);
    expect(p.tscFrequency).toBe(100);
    expect(p.mrConfigId.every((x) => x === 0xaa)).toBe(true);
    expect(p.mrOwner.every((x) => x === 0xbb)).toBe(true);
    expect(p.mrOwnerConfig.every((x) => x === 0xcc)).toBe(true);
    expect(p.ia32ArchCapabilitiesConfig).toBe(0x1234n);
    expect(p.cpuidConfig).toHaveLength(6);
    expect(p.cpuidConfig[0]).toEqual({ eax: 0x11, ebx: 0, ecx: 0, edx: 0x44 });
    expect(p.cpuidConfig[5]?.ebx).toBe(0x77);
    expect(p.reserved.tail.length).toBe(768 - 96);
    expect(tdParamsReservedFindings(p)).toEqual([]);
    expect(encodeTdParams(p)).toEqual(b);
    // The same bytes read with the 1.5 entry count put entries 6..11 into the array instead of the tail.
    expect(parseTdParams(b).reserved.tail.length).toBe(576);
  });

  it("reports non-zero reserved areas and round-trips them", () => {
    const b = new Uint8Array(1024);
    b[21] = 1;
    b[79] = 2;
    b[240] = 3;
    b[1023] = 4;
    const p = parseTdParams(b);
    expect(tdParamsReservedFindings(p).map((f) => [f.field, f.offset])).toEqual([
      ["TdParams.reserved.r20", 20],
      ["TdParams.reserved.r42", 42],
      ["TdParams.reserved.r232", 232],
      ["TdParams.reserved.tail", 448],
    ]);
    expect(encodeTdParams(p)).toEqual(b);
  });

  it("rejects wrong sizes and bad values with typed errors", () => {
    expect(() => parseTdParams(new Uint8Array(1023))).toThrow(
      expect.objectContaining({ code: "ERR_TRUNCATED" }),
    );
    expect(() => parseTdParams(new Uint8Array(1025))).toThrow(
      expect.objectContaining({ code: "ERR_BAD_LENGTH" }),
    );
    expect(() => parseTdParams(new Uint8Array(1024), { numCpuidConfig: 49 })).toThrow(TdxError);
    const p = emptyTdParams();
    expect(() => encodeTdParams({ ...p, maxVcpus: 70000 })).toThrow(
      expect.objectContaining({ code: "ERR_BAD_VALUE" }),
    );
    expect(() => encodeTdParams({ ...p, mrOwner: new Uint8Array(47) })).toThrow(
      expect.objectContaining({ code: "ERR_BAD_LENGTH" }),
    );
    expect(() => encodeTdParams({ ...p, cpuidConfig: p.cpuidConfig.slice(1) })).toThrow(
      expect.objectContaining({ code: "ERR_BAD_LENGTH" }),
    );
  });

  it("encode(parse(x)) == x for random 1024-byte inputs and any entry count", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1024, maxLength: 1024 }),
        fc.integer({ min: 0, max: 48 }),
        (b, n) => {
          expect(encodeTdParams(parseTdParams(b, { numCpuidConfig: n }))).toEqual(b);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("flag tables (§2.2, §2.3, §2.5)", () => {
  it("names the documented attribute bits", () => {
    expect(attributeNames(0x0000000010000001n)).toEqual(["DEBUG", "SEPT_VE_DISABLE"]);
    expect(attributeNames(1n << 63n)).toEqual(["PERFMON"]);
    expect(attributeNames(0x40000000n)).toEqual(["PKS"]);
    expect(attributeNames(1n << 5n)).toEqual(["BIT5"]);
    expect(TD_ATTRIBUTE_BITS.find((f) => f.name === "LASS")?.bit).toBe(27);
    expect(TD_ATTRIBUTE_BITS.find((f) => f.name === "ICSSD")?.bit).toBe(16);
  });

  it("names XFAM 0x602e7 as in the §2.3 example", () => {
    expect(xfamNames(0x602e7n)).toEqual([
      "X87",
      "SSE",
      "AVX",
      "AVX512_OPMASK",
      "AVX512_ZMM_HI256",
      "AVX512_HI16_ZMM",
      "PKRU",
      "AMX_TILECFG",
      "AMX_TILEDATA",
    ]);
    expect(XFAM_BITS).toHaveLength(14);
  });

  it("CONFIG_FLAGS names", () => {
    expect(configFlagNames(0x7n)).toEqual(["GPAW", "FLEXIBLE_PENDING_VE", "NO_RBP_MOD"]);
    expect(CONFIG_FLAG_BITS.map((f) => f.bit)).toEqual([0, 1, 2, 3]);
  });

  it("name parsing inverts naming, including BIT<n>, and rejects unknown names", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
        expect(parseAttributeNames(attributeNames(v))).toBe(v);
        expect(parseXfamNames(xfamNames(v))).toBe(v);
        expect(parseConfigFlagNames(configFlagNames(v))).toBe(v);
      }),
      { numRuns: 200 },
    );
    expect(parseAttributeNames(["debug", "sept_ve_disable"])).toBe(0x10000001n);
    expect(() => parseAttributeNames(["DEBGU"])).toThrow(expect.objectContaining({ code: "ERR_BAD_VALUE" }));
    expect(() => parseAttributeNames(["BIT64"])).toThrow(expect.objectContaining({ code: "ERR_BAD_VALUE" }));
  });

  it("prints u64 flag words in memory order as quotes do", () => {
    expect(u64MemoryHex(0x10000000n)).toBe("0000001000000000");
    expect(u64MemoryHex(0x602e7n)).toBe("e702060000000000");
  });
});
