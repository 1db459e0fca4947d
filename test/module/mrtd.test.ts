import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { nodeCrypto, portableCrypto } from "../../src/crypto/index.js";
import { MrtdAccumulator } from "../../src/module/mrtd.js";
import { acquireKernel } from "../../src/module/mrtd-kernel.js";

/** Straightforward reference: one update per block, as tdx-reference.md §5.4 writes it. */
function block(tag: string, gpa: number): Uint8Array {
  const b = new Uint8Array(128);
  b.set(new TextEncoder().encode(tag));
  new DataView(b.buffer).setBigUint64(16, BigInt(gpa), true);
  return b;
}

const node = nodeCrypto();
if (!node) throw new Error("node:crypto backend missing");

function zeroPages(acc: MrtdAccumulator, pages: number[], twoPass: boolean): void {
  const chunk = new Uint8Array(256);
  if (twoPass) {
    for (const p of pages) acc.pageAdd(p);
    for (const p of pages) for (let i = 0; i < 16; i++) acc.extend(p + i * 256, chunk);
    return;
  }
  for (const p of pages) {
    acc.pageAdd(p);
    for (let i = 0; i < 16; i++) acc.extend(p + i * 256, chunk);
  }
}

describe("MRTD accumulator: tdx-reference.md §5.5 test vectors", () => {
  for (const backend of [node, portableCrypto]) {
    it(`matches every vector with the ${backend.name} backend`, () => {
      expect(toHex(new MrtdAccumulator(backend).finalize())).toBe(
        "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
      );
      const a = new MrtdAccumulator(backend);
      a.pageAdd(0xfffff000);
      expect(toHex(a.finalize())).toBe(
        "8d411e4377a0da03b249acbe9a7939b44b4483b5a6c81341f00d60c1f417257f9a5c1c03f2f223c59f010f4933f238b8",
      );
      const b = new MrtdAccumulator(backend);
      zeroPages(b, [0x1000], false);
      expect(toHex(b.finalize())).toBe(
        "ca76d5541328afef8bc9364261c515aebef90412ebc56ca0c2260ec531a14462cfc0c11de61d84292ddf8ca871da1ff1",
      );
      const c = new MrtdAccumulator(backend);
      zeroPages(c, [0x1000, 0x2000], false);
      expect(toHex(c.finalize())).toBe(
        "508b70bad4fd50c40215289f26c3d63d5fd8eb0da77af6fcea87c02ad69921a748b8e85ac4443cd21140a60d5c564ca8",
      );
      const d = new MrtdAccumulator(backend, { stagingSize: 384 });
      zeroPages(d, [0x1000, 0x2000], true);
      expect(toHex(d.finalize())).toBe(
        "ced6957785815eb8ae20f66a11e0ddb16795e0d4d5157f3d6da65c7b82edca5fcce42687ce81097f31e8a02e93334485",
      );
    });
  }

  it("staging never changes the byte stream (random ops, random staging sizes, both backends)", () => {
    const op = fc.record({
      extend: fc.boolean(),
      page: fc.integer({ min: 0, max: 2 ** 40 }),
      fill: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 3, max: 40 }), (ops, blocks) => {
        const ref = node.createHash("sha384");
        const accs = [
          new MrtdAccumulator(node, { stagingSize: blocks * 128 }),
          new MrtdAccumulator(portableCrypto),
        ];
        for (const o of ops) {
          const gpa = o.page * 256;
          if (o.extend) {
            const chunk = new Uint8Array(256).fill(o.fill);
            ref.update(block("MR.EXTEND", gpa)).update(chunk);
            for (const a of accs) a.extend(gpa, chunk);
          } else {
            ref.update(block("MEM.PAGE.ADD", gpa));
            for (const a of accs) a.pageAdd(gpa);
          }
        }
        const want = toHex(ref.digest());
        for (const a of accs) expect(toHex(a.finalize())).toBe(want);
      }),
      { numRuns: 60 },
    );
  });

  it("peek reports the running value (a clone of the hash) without disturbing the result", () => {
    const a = new MrtdAccumulator(node);
    a.pageAdd(0xfffff000);
    expect(toHex(a.peek() ?? new Uint8Array())).toBe(
      "8d411e4377a0da03b249acbe9a7939b44b4483b5a6c81341f00d60c1f417257f9a5c1c03f2f223c59f010f4933f238b8",
    );
    expect(toHex(a.finalize())).toBe(
      "8d411e4377a0da03b249acbe9a7939b44b4483b5a6c81341f00d60c1f417257f9a5c1c03f2f223c59f010f4933f238b8",
    );
    expect(() => a.finalize()).toThrow();
  });

  it("rejects misuse (wrong chunk size, tiny staging)", () => {
    expect(() => new MrtdAccumulator(node).extend(0, new Uint8Array(255))).toThrow(RangeError);
    expect(() => new MrtdAccumulator(node, { stagingSize: 200 })).toThrow(RangeError);
  });
});

describe("MRTD staging kernels (WebAssembly and JavaScript)", () => {
  it("the WebAssembly kernel is available in Node (so the comparison below is not JS vs JS)", () => {
    expect(acquireKernel(1024)?.memory.length).toBeGreaterThanOrEqual(1024);
  });

  it("give the reference byte stream for random mixes of pageAdd, extend and extendFromPage", () => {
    const op = fc.record({
      kind: fc.constantFrom("add", "extend", "page"),
      // GPAs up to 2^52 (so both 32-bit halves and the carry across 4 GiB are exercised).
      page: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.constant(0xfffff)),
      first: fc.integer({ min: 0, max: 15 }),
      count: fc.integer({ min: 0, max: 16 }),
      seed: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 3, max: 120 }), (ops, blocks) => {
        const ref = node.createHash("sha384");
        const accs = (["wasm", "js"] as const).map(
          (kernel) => new MrtdAccumulator(node, { stagingSize: blocks * 128, kernel }),
        );
        for (const o of ops) {
          const base = o.page * 4096;
          const src = Uint8Array.from({ length: 4096 + 8 }, (_, i) => (i * 31 + o.seed) & 0xff);
          if (o.kind === "add") {
            ref.update(block("MEM.PAGE.ADD", base));
            for (const a of accs) a.pageAdd(base);
          } else if (o.kind === "extend") {
            const chunk = src.subarray(5, 261);
            ref.update(block("MR.EXTEND", base)).update(chunk);
            for (const a of accs) a.extend(base, chunk);
          } else {
            const n = Math.min(o.count, 16 - o.first);
            const pageOff = o.seed & 7; // unaligned page offsets too
            for (let c = o.first; c < o.first + n; c++)
              ref
                .update(block("MR.EXTEND", base + c * 256))
                .update(src.subarray(pageOff + c * 256, pageOff + c * 256 + 256));
            for (const a of accs) a.extendFromPage(base + o.first * 256, src, pageOff, o.first * 256, n);
          }
        }
        const want = toHex(ref.digest());
        for (const a of accs) expect(toHex(a.finalize())).toBe(want);
      }),
      { numRuns: 80 },
    );
  });
});
