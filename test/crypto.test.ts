import { createHash, generateKeyPairSync, sign } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../src/bytes.js";
import { defaultCrypto, nodeCrypto, portableCrypto } from "../src/crypto/index.js";

const node = nodeCrypto()!;

describe("crypto backends", () => {
  it("picks node:crypto by default under Node", () => {
    expect(defaultCrypto().name).toBe("node");
  });

  it("node and noble hashes agree on random inputs, one-shot and incremental", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 6 }), (chunks) => {
        for (const alg of ["sha256", "sha384", "sha512", "sha1"] as const) {
          const a = node.createHash(alg);
          const b = portableCrypto.createHash(alg);
          const all: number[] = [];
          for (const c of chunks) {
            a.update(c);
            b.update(c);
            all.push(...c);
          }
          const da = toHex(a.digest());
          expect(toHex(b.digest())).toBe(da);
          // oracle independent of both wrappers
          expect(createHash(alg).update(Uint8Array.from(all)).digest("hex")).toBe(da);
          expect(toHex(portableCrypto.hash(alg, Uint8Array.from(all)))).toBe(da);
        }
      }),
      { numRuns: 50 },
    );
  });

  it("SHA-384 known answer (FIPS 180-2 'abc')", () => {
    const abc = new TextEncoder().encode("abc");
    const want =
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7";
    expect(toHex(node.hash("sha384", abc))).toBe(want);
    expect(toHex(portableCrypto.hash("sha384", abc))).toBe(want);
  });

  it("P-256 verify: both backends accept a valid signature and reject tampering or junk", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const xy = Uint8Array.from([
      ...Buffer.from(jwk.x as string, "base64url"),
      ...Buffer.from(jwk.y as string, "base64url"),
    ]);
    const msg = new TextEncoder().encode("quote header and body");
    const sig = new Uint8Array(sign("sha256", msg, { key: privateKey, dsaEncoding: "ieee-p1363" }));
    for (const b of [node, portableCrypto]) {
      expect(await b.verifyP256(xy, msg, sig)).toBe(true);
      const bad = sig.slice();
      bad[10] = (bad[10] as number) ^ 1;
      expect(await b.verifyP256(xy, msg, bad)).toBe(false);
      expect(await b.verifyP256(xy.subarray(0, 63), msg, sig)).toBe(false);
      expect(await b.verifyP256(new Uint8Array(64), msg, sig)).toBe(false);
      expect(await b.verifyP256(xy, msg, sig.subarray(0, 63))).toBe(false);
    }
  });
});
