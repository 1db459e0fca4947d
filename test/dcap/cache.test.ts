/**
 * CollateralCache: results are shared only for identical bytes; the first entry of a kind is
 * kept unkeyed (no content hash on a fresh cache) and keyed when a second lookup arrives;
 * failures are never cached. Signature checks are counted through a wrapping backend.
 */
import { describe, expect, it } from "vitest";
import { nodeCrypto } from "../../src/crypto/index.js";
import type { CryptoBackend } from "../../src/crypto/types.js";
import { CollateralCache } from "../../src/dcap/cache.js";
import { collateralFromJson } from "../../src/dcap/collateral.js";
import { verifyQuote } from "../../src/dcap/verify.js";
import { fixture, fixtureText } from "../support/fixtures.js";

const NOW = new Date("2025-07-01T00:00:00Z");
const quote = fixture("quotes/dcapqvl-tdx-v4.dat");
const text = fixtureText("collateral/dcapqvl-tdx-b0c06f.json");

function counting(): { crypto: CryptoBackend; n: { verify: number; hash: number } } {
  const inner = nodeCrypto({ parallel: false });
  if (!inner) throw new Error("needs node:crypto");
  const n = { verify: 0, hash: 0 };
  const crypto: CryptoBackend = {
    name: "counting",
    createHash: (a) => inner.createHash(a),
    hash(a, d) {
      n.hash++;
      return inner.hash(a, d);
    },
    verifyP256(k, d, s) {
      n.verify++;
      return inner.verifyP256(k, d, s);
    },
  };
  return { crypto, n };
}

describe("CollateralCache", () => {
  it("a cold verification checks all 9 signatures and computes no content key", async () => {
    const { crypto, n } = counting();
    await verifyQuote(quote, collateralFromJson(text), {
      now: NOW,
      crypto,
      cache: new CollateralCache(crypto),
    });
    expect(n.verify).toBe(9);
    // The one hash is the QE report data binding (SHA-256 of attestation key || auth data).
    expect(n.hash).toBe(1);
  });

  it("a second verification with the same cache reuses the collateral and the PCK chain", async () => {
    const { crypto, n } = counting();
    const cache = new CollateralCache(crypto);
    await verifyQuote(quote, collateralFromJson(text), { now: NOW, crypto, cache });
    n.verify = 0;
    await verifyQuote(quote, collateralFromJson(text), { now: NOW, crypto, cache });
    expect(n.verify).toBe(2); // QE report and quote signatures only
    n.verify = 0;
    await verifyQuote(quote, collateralFromJson(text), { now: NOW, crypto, cache });
    expect(n.verify).toBe(2);
  });

  it("changed collateral bytes (in place, after a first use) are not served from the cache", async () => {
    const { crypto } = counting();
    const cache = new CollateralCache(crypto);
    const col = collateralFromJson(text);
    await verifyQuote(quote, col, { now: NOW, crypto, cache });
    const sig = col.tcbInfoSignature;
    sig[5] = (sig[5] as number) ^ 1;
    await expect(verifyQuote(quote, col, { now: NOW, crypto, cache })).rejects.toMatchObject({
      code: "ERR_TCB_INFO_SIGNATURE",
    });
    sig[5] = (sig[5] as number) ^ 1;
    await expect(verifyQuote(quote, col, { now: NOW, crypto, cache })).resolves.toMatchObject({
      status: "UpToDate",
    });
  });

  it("a failure is not cached, neither as the first entry nor later", async () => {
    const { crypto, n } = counting();
    const cache = new CollateralCache(crypto);
    const bad = collateralFromJson(text);
    const s = bad.qeIdentitySignature;
    s[0] = (s[0] as number) ^ 1;
    for (let i = 0; i < 3; i++) {
      n.verify = 0;
      await expect(verifyQuote(quote, bad, { now: NOW, crypto, cache })).rejects.toMatchObject({
        code: "ERR_QE_IDENTITY_SIGNATURE",
      });
      // The collateral signatures were checked again (6), not answered from a cached failure.
      expect(n.verify).toBeGreaterThanOrEqual(6);
      await new Promise((r) => setTimeout(r, 0));
    }
  });

  it("memo: first entry unkeyed, found again by content, distinct content computed", async () => {
    const { crypto } = counting();
    const cache = new CollateralCache(crypto);
    let computed = 0;
    const f = async () => ++computed;
    const a = Uint8Array.of(1, 2, 3);
    expect(await cache.memo("k", [a], f)).toBe(1);
    expect(await cache.memo("k", [Uint8Array.of(1, 2, 3)], f)).toBe(1);
    expect(await cache.memo("k", [Uint8Array.of(1, 2), Uint8Array.of(3)], f)).toBe(2);
    expect(await cache.memo("other", [a], f)).toBe(3);
    a[0] = 9;
    expect(await cache.memo("k", [Uint8Array.of(1, 2, 3)], f)).toBe(1);
    expect(cache.size).toBe(3);
  });
});
