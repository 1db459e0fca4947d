import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { AppraisalError } from "../../src/errors.js";
import {
  CborTagged,
  type CborValue,
  decodeDeterministic,
  encodeDeterministic,
} from "../../src/reference/cbor.js";

/**
 * Independent oracle for RFC 8949 section 4.2.1: walks the encoded bytes and checks that every
 * head uses the shortest argument form, no indefinite length is used, and map keys appear in
 * strictly increasing bytewise order of their encodings. Returns the offset after the item.
 */
function checkDeterministic(b: Uint8Array, pos = 0): number {
  const ib = b[pos] as number;
  const major = ib >> 5;
  const info = ib & 31;
  let arg: bigint;
  let p = pos + 1;
  if (info < 24) arg = BigInt(info);
  else if (info <= 27) {
    const n = 1 << (info - 24);
    arg = 0n;
    for (let i = 0; i < n; i++) arg = (arg << 8n) | BigInt(b[p + i] as number);
    p += n;
    const min = info === 24 ? 24n : info === 25 ? 256n : info === 26 ? 65536n : 2n ** 32n;
    if (major !== 7 && arg < min) throw new Error(`non-shortest head at ${pos}`);
  } else throw new Error(`indefinite or reserved length at ${pos}`);
  if (major === 7 && info >= 25) throw new Error(`float at ${pos}`);
  if (major === 2 || major === 3) return p + Number(arg);
  if (major === 4) {
    for (let i = 0n; i < arg; i++) p = checkDeterministic(b, p);
    return p;
  }
  if (major === 5) {
    let prev: Uint8Array | undefined;
    for (let i = 0n; i < arg; i++) {
      const k0 = p;
      p = checkDeterministic(b, p);
      const key = b.subarray(k0, p);
      if (prev && Buffer.compare(prev, key) >= 0) throw new Error(`map keys out of order at ${k0}`);
      prev = key;
      p = checkDeterministic(b, p);
    }
    return p;
  }
  if (major === 6) return checkDeterministic(b, p);
  return p;
}

const leaf: fc.Arbitrary<CborValue> = fc.oneof(
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.string({ maxLength: 30 }),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 40 }),
);
const value: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie("v"), { maxKeys: 5 }),
  ),
})).v;

describe("deterministic CBOR", () => {
  it("known encodings: shortest integers at every boundary, sorted keys", () => {
    // Expected bytes written by hand from RFC 8949 section 3.1 head rules.
    const cases: [CborValue, string][] = [
      [0, "00"],
      [23, "17"],
      [24, "1818"],
      [255, "18ff"],
      [256, "190100"],
      [65535, "19ffff"],
      [65536, "1a00010000"],
      [2 ** 32 - 1, "1affffffff"],
      [2 ** 32, "1b0000000100000000"],
      [10n, "0a"],
      [-1, "20"],
      [-(2n ** 32n), "3affffffff"],
      [-(2n ** 32n) - 1n, "3b0000000100000000"],
      [2n ** 64n - 1n, "1bffffffffffffffff"],
      [new Uint8Array([1, 2]), "420102"],
      // "b" (0x6162) sorts before "aa" (0x626161): shorter encoding first.
      [{ aa: 1, b: 2 }, "a2616202626161 01".replace(" ", "")],
      [
        new Map<CborValue, CborValue>([
          ["x", 1],
          [10, 2],
          [-1, 3],
        ]),
        "a30a022003617801",
      ],
      [new CborTagged(18, []), "d280"],
    ];
    for (const [v, hex] of cases) expect(toHex(encodeDeterministic(v)), hex).toBe(hex);
  });

  it("property: output is deterministic, canonical and independent of key insertion order", () => {
    fc.assert(
      fc.property(value, (v) => {
        const a = encodeDeterministic(v);
        expect(checkDeterministic(a)).toBe(a.length);
        expect(toHex(encodeDeterministic(v))).toBe(toHex(a));
        if (v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array)) {
          const reversed = Object.fromEntries(Object.entries(v as Record<string, CborValue>).reverse());
          expect(toHex(encodeDeterministic(reversed))).toBe(toHex(a));
        }
        // Decoding and re-encoding is the identity on deterministic bytes.
        expect(toHex(encodeDeterministic(decodeDeterministic(a)))).toBe(toHex(a));
      }),
      { numRuns: 300 },
    );
  });

  it("rejects floats, unsafe numbers and values outside the model", () => {
    for (const bad of [1.5, Number.NaN, 2 ** 60, -(2n ** 63n) - 1n, 2n ** 64n]) {
      expect(() => encodeDeterministic(bad as CborValue)).toThrow(AppraisalError);
    }
    expect(() => encodeDeterministic({ a: undefined } as unknown as CborValue)).toThrow(AppraisalError);
  });

  it("decoding rejects non-deterministic or malformed input with ERR_REFERENCE_FORMAT", () => {
    const bad = [
      "bf616101ff", // indefinite-length map
      "1801", // 1 in a long head
      "0101", // trailing byte
      "a2616202616101", // keys out of order ("b" then "a")
      "a2616101616102", // duplicate key
      "f93c00", // half float 1.0
      "fb3ff8000000000000", // float64 1.5
      "5f4101ff", // indefinite byte string
      "62", // truncated text
      "",
    ];
    for (const hex of bad) {
      const bytes = Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
      try {
        decodeDeterministic(bytes);
        expect.unreachable(`accepted ${hex}`);
      } catch (e) {
        expect(e, hex).toBeInstanceOf(AppraisalError);
        expect((e as AppraisalError).code).toBe("ERR_REFERENCE_FORMAT");
      }
    }
  });

  it("decoded byte strings are plain Uint8Arrays", () => {
    const v = decodeDeterministic(encodeDeterministic({ a: new Uint8Array([9]) }));
    const got = (v as Map<CborValue, CborValue>).get("a");
    expect(got?.constructor).toBe(Uint8Array);
  });
});
