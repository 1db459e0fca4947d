import { describe, expect, it } from "vitest";
import { portableCrypto } from "../../src/crypto/index.js";
import { CollateralCache } from "../../src/dcap/cache.js";
import { collateralFromJson } from "../../src/dcap/collateral.js";
import { verifyQuote } from "../../src/dcap/verify.js";
import { fixture, fixtureText } from "../support/fixtures.js";

const B_QUOTE = "quotes/dcapqvl-tdx-v4.dat";
const B_COL = "collateral/dcapqvl-tdx-b0c06f.json";
const JULY = new Date("2025-07-01T00:00:00Z");

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code: string }).code;
  }
  return "ACCEPTED";
}

describe("real fixtures (MANIFEST.md cases B-E and the negative cross-checks)", () => {
  it("case B: UpToDate, no advisories, at 2025-07-01", async () => {
    const r = await verifyQuote(fixture(B_QUOTE), collateralFromJson(fixtureText(B_COL)), { now: JULY });
    expect(r.status).toBe("UpToDate");
    expect(r.advisoryIds).toEqual([]);
    expect(r.fmspc).toBe("b0c06f000000");
    expect(r.qeIdentityStatus).toBe("UpToDate");
    expect(r.pck.tcbComponents.slice(0, 8)).toEqual([3, 3, 2, 2, 4, 1, 0, 5]);
    expect(r.pck.pceSvn).toBe(11);
    expect(r.td?.debug).toBe(false);
    expect(r.tcbDate).toBe("2024-03-13T00:00:00Z");
  });

  it("case C: SGX quote; TDX-only verification rejects the TEE type", async () => {
    const col = collateralFromJson(fixtureText("collateral/dcapqvl-sgx-00a067.json"));
    const q = fixture("quotes/dcapqvl-sgx-v3.dat");
    expect(await codeOf(verifyQuote(q, col, { now: JULY }))).toBe("ERR_UNSUPPORTED_TEE_TYPE");
    const r = await verifyQuote(q, col, { now: JULY, tee: "sgx" });
    expect(r.status).toBe("ConfigurationAndSWHardeningNeeded");
    expect(r.advisoryIds).toEqual(["INTEL-SA-00289", "INTEL-SA-00615"]);
    expect(r.fmspc).toBe("00a067110000");
    expect(r.pck.ca).toBe("processor");
    expect(r.td).toBeUndefined();
    expect(r.tdxModuleStatus).toBeUndefined();
    expect((await verifyQuote(q, col, { now: JULY, tee: "any" })).status).toBe(
      "ConfigurationAndSWHardeningNeeded",
    );
  });

  it("case D: no matching TCB level (2023-07-01T01:00:00Z)", async () => {
    const col = collateralFromJson(fixtureText("collateral/gtdx-2023-50806f.json"));
    const p = verifyQuote(fixture("quotes/gtdx-spr-e4-v4.dat"), col, {
      now: new Date("2023-07-01T01:00:00Z"),
    });
    expect(await codeOf(p)).toBe("ERR_TCB_NOT_SUPPORTED");
  });

  it("case E: a debug TD verifies cryptographically and shows DEBUG", async () => {
    const col = collateralFromJson(fixtureText("collateral/gtdx-2023-50806f.json"));
    const r = await verifyQuote(fixture("quotes/trustee-q4-debug-v4.dat"), col, {
      now: new Date("2023-07-01T01:00:00Z"),
    });
    // MANIFEST: PCK SVNs 5,5,13,2,3,1,0,3 / PCESVN 11 / TEE_TCB_SVN 3,0,5 meet the UpToDate level (5,5,2,2,3,1,0,3 / 11 / 3,0,5).
    expect(r.status).toBe("UpToDate");
    // TDATTRIBUTES bytes 01 00 00 10 00.. (MANIFEST) read little-endian: DEBUG (bit 0) + SEPT_VE_DISABLE (bit 28).
    expect(r.td).toEqual({ debug: true, attributes: 0x10000001n });
  });

  it("negative: gcp-v4 with the b0c06f collateral → FMSPC mismatch", async () => {
    const p = verifyQuote(fixture("quotes/gcp-v4.dat"), collateralFromJson(fixtureText(B_COL)), {
      now: JULY,
    });
    expect(await codeOf(p)).toBe("ERR_FMSPC_MISMATCH");
  });

  it("negative: dstack-tappd-v4 at 2025-07-01 → no matching TCB level", async () => {
    const p = verifyQuote(fixture("quotes/dstack-tappd-v4.dat"), collateralFromJson(fixtureText(B_COL)), {
      now: JULY,
    });
    expect(await codeOf(p)).toBe("ERR_TCB_NOT_SUPPORTED");
  });

  it("case B outside the collateral window: not yet valid / expired", async () => {
    const col = collateralFromJson(fixtureText(B_COL));
    const q = fixture(B_QUOTE);
    expect(await codeOf(verifyQuote(q, col, { now: new Date("2025-06-19T10:00:00Z") }))).toBe(
      "ERR_TCB_INFO_NOT_YET_VALID",
    );
    expect(await codeOf(verifyQuote(q, col, { now: new Date("2025-07-20T00:00:00Z") }))).toBe(
      "ERR_TCB_INFO_EXPIRED",
    );
    // Between the TCB info and the QE identity issue dates only the QE identity is not yet valid.
    expect(await codeOf(verifyQuote(q, col, { now: new Date("2025-06-19T10:20:00Z") }))).toBe(
      "ERR_QE_IDENTITY_NOT_YET_VALID",
    );
    // After the PCK CRL's nextUpdate (10:00:35) but before the TCB info's (10:16:03).
    expect(await codeOf(verifyQuote(q, col, { now: new Date("2025-07-19T10:05:00Z") }))).toBe(
      "ERR_CRL_EXPIRED",
    );
    expect(await codeOf(verifyQuote(q, col, { now: new Date("2040-01-01T00:00:00Z") }))).toBe(
      "ERR_TCB_INFO_EXPIRED",
    );
  });

  it("case D and E collateral outside its window fail with an expiry code", async () => {
    const col = collateralFromJson(fixtureText("collateral/gtdx-2023-50806f.json"));
    const p = verifyQuote(fixture("quotes/trustee-q4-debug-v4.dat"), col, {
      now: new Date("2023-07-20T00:00:00Z"),
    });
    expect(await codeOf(p)).toBe("ERR_TCB_INFO_EXPIRED");
  });

  it("the portable backend (WebCrypto, asynchronous) gives the same verdicts", async () => {
    const col = collateralFromJson(fixtureText(B_COL));
    const cache = new CollateralCache(portableCrypto);
    const r = await verifyQuote(fixture(B_QUOTE), col, { now: JULY, crypto: portableCrypto, cache });
    expect([r.status, r.advisoryIds]).toEqual(["UpToDate", []]);
    const bad = fixture(B_QUOTE).slice();
    bad[100] = (bad[100] as number) ^ 1;
    expect(await codeOf(verifyQuote(bad, col, { now: JULY, crypto: portableCrypto, cache }))).toBe(
      "ERR_QUOTE_SIGNATURE",
    );
  });

  it("a wrong trust anchor is ERR_UNTRUSTED_ROOT", async () => {
    const col = collateralFromJson(fixtureText(B_COL));
    const other = collateralFromJson(fixtureText(B_COL)).tcbInfoIssuerChain[0]!;
    const p = verifyQuote(fixture(B_QUOTE), col, { now: JULY, trustedRoots: [other] });
    expect(await codeOf(p)).toBe("ERR_UNTRUSTED_ROOT");
  });
});
