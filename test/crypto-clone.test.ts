import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../src/bytes.js";
import { type CryptoBackend, nodeCrypto, portableCrypto } from "../src/crypto/index.js";
import { MrtdAccumulator } from "../src/module/mrtd.js";

const node = nodeCrypto();
if (!node) throw new Error("node:crypto backend missing");
const backends: CryptoBackend[] = [node, portableCrypto];

describe("HashContext.clone (node Hash.copy, noble .clone)", () => {
  for (const b of backends) {
    it(`${b.name}: a clone digests the prefix, and both contexts continue independently`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (x, y) => {
          const h = b.createHash("sha384").update(x);
          const c = h.clone();
          // Expected values come from one-shot hashes of the same bytes.
          expect(toHex(c.digest())).toBe(toHex(b.hash("sha384", x)));
          const c2 = h.clone().update(y);
          h.update(y);
          const xy = new Uint8Array([...x, ...y]);
          expect(toHex(h.digest())).toBe(toHex(b.hash("sha384", xy)));
          expect(toHex(c2.digest())).toBe(toHex(b.hash("sha384", xy)));
        }),
        { numRuns: 40 },
      );
    });
  }

  it("both backends give the same running MRTD through peek()", () => {
    const run = (b: CryptoBackend) => {
      const a = new MrtdAccumulator(b, { stagingSize: 512 });
      const page = Uint8Array.from({ length: 4096 }, (_, i) => (i * 3) & 0xff);
      const seen: string[] = [];
      for (let p = 0; p < 3; p++) {
        a.pageAdd(0x1000 * p);
        a.extendFromPage(0x1000 * p, page, 0, 0, 16);
        seen.push(toHex(a.peek()));
      }
      seen.push(toHex(a.finalize()));
      return seen;
    };
    const n = run(node);
    expect(run(portableCrypto)).toEqual(n);
    // peek after the last page equals the final value (no bytes are added at finalize).
    expect(n[2]).toBe(n[3]);
    expect(new Set(n).size).toBe(3);
  });
});
