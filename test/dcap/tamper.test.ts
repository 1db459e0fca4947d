/**
 * Exhaustive single-byte tampering of a real quote (case B) and of its collateral: every flip
 * inside a signed or binding region must make verification fail (zero false accepts).
 */
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
    if (!(e instanceof TdxError)) throw e;
    return e.code;
  }
}

/** Regions of the v4 quote (tdx-reference.md 13.2, 13.5), located from the parsed views. */
function regions(): [string, number, number][] {
  const q = parseQuote(quote);
  const cd = q.signatureData.certificationData;
  if (cd.type !== 6) throw new Error("fixture must carry type 6");
  const at = (v: Uint8Array) => v.byteOffset - quote.byteOffset;
  return [
    ["header", 0, 48],
    ["body", 48, 584],
    ["quote signature", at(q.signatureData.signature), 64],
    ["attestation key", at(q.signatureData.attestationKey), 64],
    ["QE report", at(cd.qeReportBytes), 384],
    ["QE report signature", at(cd.qeReportSignature), 64],
    ["QE auth data", at(cd.qeAuthData), cd.qeAuthData.length],
  ];
}

describe("tamper: real quote", () => {
  it("the untampered quote verifies", async () => {
    expect(await outcome(quote)).toBe("ACCEPTED");
  });
  for (const [name, start, len] of regions()) {
    it(`every byte of the ${name} (${len} bytes at ${start})`, async () => {
      const accepted: number[] = [];
      const codes = new Set<string>();
      for (let i = start; i < start + len; i++) {
        const q = quote.slice();
        q[i] = (q[i] as number) ^ (1 << (i % 8));
        const o = await outcome(q);
        codes.add(o);
        if (o === "ACCEPTED") accepted.push(i);
      }
      expect(accepted).toEqual([]);
      expect(codes.size).toBeGreaterThan(0);
    });
  }
});

describe("tamper: collateral", () => {
  const fields = ["tcbInfo", "tcbInfoSignature", "qeIdentity", "qeIdentitySignature"] as const;
  for (const f of fields) {
    it(`every byte of ${f}`, async () => {
      const orig = collateral[f];
      const accepted: number[] = [];
      for (let i = 0; i < orig.length; i++) {
        const b = orig.slice();
        b[i] = (b[i] as number) ^ (1 << (i % 7));
        const o = await outcome(quote, { ...collateral, [f]: b });
        if (o === "ACCEPTED") accepted.push(i);
      }
      expect(accepted).toEqual([]);
    });
  }
});

describe("tamper: in-place edits after a verification", () => {
  it("editing a collateral object's bytes in place is seen by the next verification", async () => {
    const c = collateralFromJson(fixtureText("collateral/dcapqvl-tdx-b0c06f.json"));
    expect(await outcome(quote, c)).toBe("ACCEPTED");
    c.tcbInfo[20] = (c.tcbInfo[20] as number) ^ 1;
    expect(await outcome(quote, c)).toBe("ERR_TCB_INFO_SIGNATURE");
    c.tcbInfo[20] = (c.tcbInfo[20] as number) ^ 1;
    c.pckCrl[c.pckCrl.length - 5] = (c.pckCrl[c.pckCrl.length - 5] as number) ^ 1;
    expect(await outcome(quote, c)).not.toBe("ACCEPTED");
  });
});
