/**
 * Property tests: whatever the bytes, verification resolves to a verdict or rejects with a
 * TdxError (never a TypeError/RangeError), and mutated inputs are never accepted.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseQuote } from "../../src/abi/quote.js";
import { CollateralCache } from "../../src/dcap/cache.js";
import { type Collateral, collateralFromJson } from "../../src/dcap/collateral.js";
import { verifyQuote } from "../../src/dcap/verify.js";
import { TdxError } from "../../src/errors.js";
import { fixture, fixtureText } from "../support/fixtures.js";

const NOW = new Date("2025-07-01T00:00:00Z");
const quote = fixture("quotes/dcapqvl-tdx-v4.dat");
const collateral = collateralFromJson(fixtureText("collateral/dcapqvl-tdx-b0c06f.json"));
const cache = new CollateralCache((await import("../../src/crypto/index.js")).defaultCrypto());

async function outcome(q: Uint8Array, c: Collateral = collateral): Promise<string> {
  try {
    await verifyQuote(q, c, { now: NOW, cache });
    return "ACCEPTED";
  } catch (e) {
    if (e instanceof TdxError) return e.code;
    throw e;
  }
}

describe("verifyQuote on hostile input", () => {
  it("random bytes and truncations give a TdxError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 700 }), async (b) => {
        expect(await outcome(b)).not.toBe("ACCEPTED");
      }),
      { numRuns: 300 },
    );
    for (let n = 0; n < quote.length - 70; n += 37)
      expect(await outcome(quote.subarray(0, n))).not.toBe("ACCEPTED");
  });
  it("multi-byte mutations anywhere before the trailing bytes are never accepted", async () => {
    // The last 70 bytes of this fixture are unsigned padding after the signature data (MANIFEST case B).
    const end = quote.length - 70;
    const cd = parseQuote(quote).signatureData.certificationData;
    if (cd.type !== 6 || cd.inner.type !== 5) throw new Error("fixture must carry 6 -> 5");
    const pemStart = cd.inner.pem.byteOffset - quote.byteOffset;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(end - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        async (edits) => {
          const q = quote.slice();
          for (const [i, x] of edits) q[i] = (q[i] as number) ^ x;
          const o = await outcome(q);
          // A flip inside the PEM text may hit a base64 padding bit or a line break and leave the
          // decoded chain unchanged; anything else must be rejected.
          if (o === "ACCEPTED") expect(edits.every(([i]) => i >= pemStart)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
  it("CRLs and issuer chains with flipped bytes are rejected", async () => {
    for (const f of ["rootCaCrl", "pckCrl"] as const) {
      const orig = collateral[f];
      for (let i = 0; i < orig.length; i += 3) {
        const b = orig.slice();
        b[i] = (b[i] as number) ^ 0x10;
        expect(await outcome(quote, { ...collateral, [f]: b })).not.toBe("ACCEPTED");
      }
    }
    const signer = collateral.tcbInfoIssuerChain[0]!;
    for (let i = 0; i < signer.length; i += 2) {
      const b = signer.slice();
      b[i] = (b[i] as number) ^ 0x04;
      const chain = [b, collateral.tcbInfoIssuerChain[1]!];
      expect(
        await outcome(quote, { ...collateral, tcbInfoIssuerChain: chain, qeIdentityIssuerChain: chain }),
      ).not.toBe("ACCEPTED");
    }
  });
});
