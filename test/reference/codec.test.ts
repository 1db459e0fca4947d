import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { AppraisalError } from "../../src/errors.js";
import {
  combineReferenceValues,
  decodeReferenceValuesCbor,
  encodeReferenceValuesCbor,
  encodeReferenceValuesJson,
  parseReferenceValuesJson,
  type ReferenceValues,
  referenceValuesToJsonValue,
} from "../../src/reference/index.js";
import { filled, sampleSet } from "./helpers.js";

const rv: ReferenceValues = { version: 1, sets: [sampleSet("a", 1), sampleSet("b", 7)] };

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof AppraisalError) return `${e.code} ${e.at?.field ?? ""}`;
    throw e;
  }
  return undefined;
}

describe("reference values codec", () => {
  it("JSON form: hex bytes, u64 in quote byte order, stable text", () => {
    const json = encodeReferenceValuesJson(rv);
    const doc = JSON.parse(json);
    expect(doc.type).toBe("tdx-attest/reference-values");
    expect(doc.sets[0].mrTd).toBe("01".repeat(48));
    // 0x10000000 little-endian = bytes 00 00 00 10 00 00 00 00 (as quote show prints TDATTRIBUTES).
    expect(doc.sets[0].tdAttributes).toBe("0000001000000000");
    expect(encodeReferenceValuesJson(parseReferenceValuesJson(json))).toBe(json);
  });

  it("JSON -> CBOR -> JSON is lossless and CBOR is byte-identical across runs", () => {
    const cbor = encodeReferenceValuesCbor(rv);
    expect(toHex(encodeReferenceValuesCbor(rv))).toBe(toHex(cbor));
    const back = decodeReferenceValuesCbor(cbor);
    expect(referenceValuesToJsonValue(back)).toEqual(referenceValuesToJsonValue(rv));
    const viaJson = parseReferenceValuesJson(encodeReferenceValuesJson(rv));
    expect(toHex(encodeReferenceValuesCbor(viaJson))).toBe(toHex(cbor));
  });

  it("CBOR bytes do not depend on launch-config key order", () => {
    const s = sampleSet("a");
    const reordered = {
      ...s,
      launchConfig: {
        ...s.launchConfig!,
        config: { vcpus: 2, memory: "2G", maxVcpus: 4, firmware: "OVMF.fd" },
      },
    };
    expect(toHex(encodeReferenceValuesCbor({ version: 1, sets: [reordered] }))).toBe(
      toHex(encodeReferenceValuesCbor({ version: 1, sets: [s] })),
    );
  });

  it("property: random sets round-trip JSON <-> CBOR", () => {
    const hash = fc.uint8Array({ minLength: 48, maxLength: 48 });
    const set = fc.record(
      {
        name: fc.string({ minLength: 1, maxLength: 10 }),
        mrTd: hash,
        rtmr3: hash,
        xfam: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        tdAttributes: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        maxVcpus: fc.integer({ min: 1, max: 0xffff }),
      },
      { requiredKeys: ["name"] },
    );
    fc.assert(
      fc.property(set, (s) => {
        const v: ReferenceValues = { version: 1, sets: [s] };
        const cbor = encodeReferenceValuesCbor(v);
        const json = encodeReferenceValuesJson(decodeReferenceValuesCbor(cbor));
        expect(toHex(encodeReferenceValuesCbor(parseReferenceValuesJson(json)))).toBe(toHex(cbor));
      }),
      { numRuns: 200 },
    );
  });

  it("accepts 0x-number flag words and normalizes them", () => {
    const doc = referenceValuesToJsonValue({ version: 1, sets: [{ name: "x" }] }) as { sets: object[] };
    doc.sets[0] = { name: "x", tdAttributes: "0x10000000", xfam: "e702060000000000" };
    const v = parseReferenceValuesJson(doc);
    expect(v.sets[0]?.tdAttributes).toBe(0x10000000n);
    expect(v.sets[0]?.xfam).toBe(0x602e7n);
  });

  it("strict validation names the field", () => {
    const base = JSON.parse(encodeReferenceValuesJson(rv));
    const mutate = (f: (d: typeof base) => void) => {
      const d = structuredClone(base);
      f(d);
      return codeOf(() => parseReferenceValuesJson(d));
    };
    expect(mutate((d) => (d.sets[0].mrTd = "00"))).toBe("ERR_REFERENCE_FORMAT reference.sets[0].mrTd");
    expect(mutate((d) => (d.sets[1].rtmr1 = "zz".repeat(48)))).toBe(
      "ERR_REFERENCE_FORMAT reference.sets[1].rtmr1",
    );
    expect(mutate((d) => (d.sets[0].mrtd = "00".repeat(48)))).toBe(
      "ERR_REFERENCE_FORMAT reference.sets[0].mrtd",
    );
    expect(mutate((d) => (d.sets[0].maxVcpus = 0))).toBe("ERR_REFERENCE_FORMAT reference.sets[0].maxVcpus");
    expect(mutate((d) => (d.sets[0].xfam = "e7"))).toBe("ERR_REFERENCE_FORMAT reference.sets[0].xfam");
    expect(mutate((d) => (d.sets[1].name = "a"))).toBe("ERR_REFERENCE_FORMAT reference.sets[1].name");
    expect(mutate((d) => (d.version = 2))).toBe("ERR_REFERENCE_FORMAT reference.version");
    expect(mutate((d) => (d.sets = []))).toBe("ERR_REFERENCE_FORMAT reference.sets");
    expect(mutate((d) => (d.sets[0].launchConfig.config.x = 1.5))).toBe(
      "ERR_REFERENCE_FORMAT reference.sets[0].launchConfig.config.x",
    );
    expect(mutate((d) => (d.sets[0].events[0].rtmr = 4))).toBe(
      "ERR_REFERENCE_FORMAT reference.sets[0].events[0].rtmr",
    );
    expect(codeOf(() => parseReferenceValuesJson("{"))).toBe("ERR_REFERENCE_FORMAT reference");
  });

  it("CBOR decoding rejects tampered or truncated bytes with a typed error only", () => {
    const cbor = encodeReferenceValuesCbor(rv);
    for (let n = 0; n < cbor.length; n += 7) {
      expect(codeOf(() => decodeReferenceValuesCbor(cbor.subarray(0, n)))).toMatch(/^ERR_REFERENCE_FORMAT/);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: cbor.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const t = cbor.slice();
        t[i] = (t[i] as number) ^ x;
        try {
          decodeReferenceValuesCbor(t);
        } catch (e) {
          expect(e).toBeInstanceOf(AppraisalError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("combines sets and refuses duplicate names", () => {
    const c = combineReferenceValues([sampleSet("x"), { version: 1, sets: [sampleSet("y")] }]);
    expect(c.sets.map((s) => s.name)).toEqual(["x", "y"]);
    expect(codeOf(() => combineReferenceValues([sampleSet("x"), sampleSet("x")]))).toMatch(
      /^ERR_REFERENCE_FORMAT/,
    );
    expect(c.sets[0]?.mrTd).toEqual(filled(1));
  });
});
