/**
 * The Node backend's two-thread verifier (src/crypto/node-parallel.ts) must give exactly the
 * results of the sequential path: for valid and tampered signatures, data and keys, malformed
 * inputs, more jobs than job slots, data larger than a slot, awaits in any order, and buffers
 * changed after the check was started. Keys and signatures are made here with node:crypto.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { nodeCrypto } from "../../src/crypto/index.js";
import { createParallelVerifier } from "../../src/crypto/node-parallel.js";
import { CollateralCache } from "../../src/dcap/cache.js";
import { collateralFromJson } from "../../src/dcap/collateral.js";
import { verifyQuote } from "../../src/dcap/verify.js";
import { TdxError } from "../../src/errors.js";
import { fixture, fixtureText } from "../support/fixtures.js";

function need<T>(x: T | undefined): T {
  if (x === undefined) throw new Error("these tests need node:crypto");
  return x;
}
const seq = need(nodeCrypto({ parallel: false }));
const par = need(nodeCrypto());
const syncVerify = (k: Uint8Array, d: Uint8Array, s: Uint8Array) => seq.verifyP256(k, d, s) as boolean;

interface Case {
  key: Uint8Array;
  data: Uint8Array;
  sig: Uint8Array;
}

/** A deterministic mix of valid and tampered cases over a few keys (some larger than a slot). */
function cases(n: number): Case[] {
  const keys = Array.from({ length: 3 }, () => generateKeyPairSync("ec", { namedCurve: "P-256" }));
  const out: Case[] = [];
  for (let i = 0; i < n; i++) {
    const k = keys[i % 3] as (typeof keys)[number];
    const jwk = k.publicKey.export({ format: "jwk" });
    const xy = new Uint8Array([
      ...Buffer.from(jwk.x as string, "base64url"),
      ...Buffer.from(jwk.y as string, "base64url"),
    ]);
    const data = new Uint8Array(i % 11 === 0 ? 9000 + i : 50 + i * 7).map((_, j) => (j * 31 + i) & 0xff);
    const sig = new Uint8Array(sign("sha256", data, { key: k.privateKey, dsaEncoding: "ieee-p1363" }));
    const c = { key: i % 2 ? xy : Uint8Array.of(4, ...xy), data, sig };
    switch (i % 7) {
      case 1:
        c.sig = sig.slice();
        c.sig[i % 64] = (c.sig[i % 64] as number) ^ 1;
        break;
      case 2:
        c.data = data.slice();
        c.data[i % data.length] = (c.data[i % data.length] as number) ^ 0x80;
        break;
      case 3:
        c.key = c.key.slice();
        c.key[c.key.length - 1] = (c.key[c.key.length - 1] as number) ^ 1;
        break;
      case 4:
        c.key = xy.subarray(0, 63);
        break;
      case 5:
        c.sig = sig.subarray(0, 63);
        break;
      default:
    }
    out.push(c);
  }
  return out;
}

describe("parallel P-256 verification", () => {
  it("the default Node backend offers startVerifyP256, the sequential one does not", () => {
    expect(typeof par.startVerifyP256).toBe("function");
    expect(seq.startVerifyP256).toBeUndefined();
  });

  it("gives the sequential results for 60 jobs started at once (more than the job slots)", async () => {
    const cs = cases(60);
    const want = cs.map((c) => seq.verifyP256(c.key, c.data, c.sig));
    expect(want.filter((w) => w).length).toBeGreaterThan(10);
    expect(want.filter((w) => !w).length).toBeGreaterThan(10);
    const started = cs.map((c) => par.startVerifyP256?.(c.key, c.data, c.sig));
    // Await in reverse order: stealing and waiting must not depend on the order of awaits.
    const got: boolean[] = [];
    for (let i = started.length - 1; i >= 0; i--) got[i] = (await started[i]) as boolean;
    expect(got).toEqual(want);
  });

  it("repeated rounds with jobs left unawaited still give the right results", async () => {
    const cs = cases(21);
    const want = cs.map((c) => seq.verifyP256(c.key, c.data, c.sig));
    // 110 rounds of 21 jobs cross a whole self-tuning cycle (worker probe, main-thread probe).
    for (let round = 0; round < 110; round++) {
      const started = cs.map((c) => par.startVerifyP256?.(c.key, c.data, c.sig));
      const awaited = started.map((p, i) => ((i + round) % 3 === 0 ? undefined : p));
      for (const [i, p] of awaited.entries()) if (p) expect(await p).toBe(want[i]);
    }
  });

  it("the worker thread does the work when the main thread leaves it time", async () => {
    const cs = cases(14).filter((c) => c.key.length >= 64 && c.sig.length === 64 && c.data.length < 8192);
    let mainThread = 0;
    const v = createParallelVerifier((k, d, s) => {
      mainThread++;
      return syncVerify(k, d, s);
    });
    if (!v) throw new Error("worker threads unavailable");
    const point = (k: Uint8Array) => (k.length === 65 ? k : Uint8Array.of(4, ...k));
    const want = cs.map((c) => seq.verifyP256(c.key, c.data, c.sig));
    // The first job starts the worker; give it time to come up, then post the batch.
    await v.start(point(cs[0]!.key), cs[0]!.data, cs[0]!.sig);
    mainThread = 0;
    await new Promise((r) => setTimeout(r, 500));
    const started = cs.map((c) => v.start(point(c.key), c.data, c.sig));
    await new Promise((r) => setTimeout(r, 500));
    const got = [];
    for (const p of started) got.push(await p);
    expect(got).toEqual(want);
    expect(want).toContain(false);
    expect(mainThread).toBe(0);
  });

  it("reads the bytes when the check is started (later changes do not matter)", async () => {
    const [c] = cases(1) as [Case];
    const data = c.data.slice();
    const p = par.startVerifyP256?.(c.key, data, c.sig);
    data.fill(0);
    expect(await p).toBe(true);
  });
});

describe("verifyQuote with and without the worker thread", () => {
  const NOW = new Date("2025-07-01T00:00:00Z");
  const quote = fixture("quotes/dcapqvl-tdx-v4.dat");
  const collateral = collateralFromJson(fixtureText("collateral/dcapqvl-tdx-b0c06f.json"));

  async function outcome(q: Uint8Array, crypto: typeof seq): Promise<string> {
    try {
      const v = await verifyQuote(q, collateral, { now: NOW, crypto, cache: new CollateralCache(crypto) });
      return `ACCEPTED ${v.status}`;
    } catch (e) {
      if (!(e instanceof TdxError)) throw e;
      return e.code;
    }
  }

  it("same accept/reject for the real quote and single-byte tampers of every signed region", async () => {
    expect(await outcome(quote, par)).toBe(await outcome(quote, seq));
    expect(await outcome(quote, par)).toMatch(/^ACCEPTED/);
    const codes = new Set<string>();
    // Every 7th byte over the whole quote: header, body, signatures, keys, QE report, PCK chain.
    for (let i = 0; i < quote.length; i += 7) {
      const q = quote.slice();
      q[i] = (q[i] as number) ^ 0x10;
      const [a, b] = [await outcome(q, seq), await outcome(q, par)];
      expect(b, `byte ${i}`).toBe(a);
      codes.add(a);
    }
    expect(codes).toContain("ERR_QUOTE_SIGNATURE");
    expect(codes).toContain("ERR_QE_REPORT_SIGNATURE");
  });
});
