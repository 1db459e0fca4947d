/** Simulated QE: quotes are laid out byte for byte like real Intel QE quotes (section 13). */
import { describe, expect, it } from "vitest";
import { parseQuote } from "../../src/abi/quote.js";
import { parseTdReport } from "../../src/abi/td-report.js";
import { concatBytes, readU16, readU32, toHex } from "../../src/bytes.js";
import { nodeCrypto } from "../../src/crypto/index.js";
import { quoteBodyFromTdReport, simulateQuote, syntheticTdReport } from "../../src/sim/qe.js";
import { pki } from "../dcap/test-pki.js";
import { fixture } from "../support/fixtures.js";

const c = nodeCrypto()!;

/** Offsets of the type-6 certification data pieces, read directly from the bytes. */
function layout(q: Uint8Array, bodyEnd: number) {
  const sigLen = readU32(q, bodyEnd);
  const sd = bodyEnd + 4;
  const cdType = readU16(q, sd + 128);
  const cdSize = readU32(q, sd + 130);
  const qeReport = sd + 134;
  const authSize = readU16(q, qeReport + 384 + 64);
  const inner = qeReport + 384 + 64 + 2 + authSize;
  return {
    sigLen,
    cdType,
    cdSize,
    authSize,
    innerType: readU16(q, inner),
    innerSize: readU32(q, inner + 2),
    end: inner + 6 + readU32(q, inner + 2),
  };
}

describe("simulated QE", () => {
  it("v4: the same signature-data layout as a real v4 quote (case B), signatures and report data verify", async () => {
    const p = await pki();
    const report = syntheticTdReport({ reportData: new Uint8Array(64).fill(7) });
    const q = await simulateQuote(report, p);
    const real = layout(fixture("quotes/dcapqvl-tdx-v4.dat"), 632);
    const sim = layout(q, 632);
    expect([sim.cdType, sim.authSize, sim.innerType]).toEqual([real.cdType, real.authSize, real.innerType]);
    expect([sim.cdType, sim.innerType, sim.authSize]).toEqual([6, 5, 32]);
    expect(sim.end).toBe(q.length);
    expect(sim.sigLen).toBe(q.length - 636);
    const parsed = parseQuote(q);
    const cd = parsed.signatureData.certificationData;
    if (cd.type !== 6 || cd.inner.type !== 5) throw new Error("expected 6 -> 5");
    const attKey = parsed.signatureData.attestationKey;
    expect(toHex(cd.qeReport.reportData)).toBe(
      toHex(concatBytes(c.hash("sha256", concatBytes(attKey, cd.qeAuthData)), new Uint8Array(32))),
    );
    expect(toHex(cd.qeAuthData)).toBe(toHex(Uint8Array.from({ length: 32 }, (_, i) => i)));
    expect(c.verifyP256(p.signers.pck.publicKey, cd.qeReportBytes, cd.qeReportSignature)).toBe(true);
    expect(c.verifyP256(attKey, q.subarray(0, 632), parsed.signatureData.signature)).toBe(true);
    expect(cd.inner.certificates.map(toHex)).toEqual(p.pckChain.map(toHex));
    expect(toHex(parsed.header.qeVendorId)).toBe("939a7233f79c4ca9940a0db3957f0607");
  });

  it("v5 TD 1.5: descriptor 03 00 88 02 00 00, signed bytes include it; body fields come from the TDREPORT", async () => {
    const p = await pki();
    const report = syntheticTdReport({
      teeTcbSvn: Uint8Array.of(7, 0, 2),
      teeTcbSvn2: Uint8Array.of(9, 1, 2),
      tdAttributes: 0x10000001n,
      mrTd: new Uint8Array(48).fill(0x44),
    });
    const q = await simulateQuote(report, p, { version: 5, bodyType: 3 });
    expect(toHex(q.subarray(48, 54))).toBe("030088020000");
    const parsed = parseQuote(q);
    expect(
      c.verifyP256(
        parsed.signatureData.attestationKey,
        q.subarray(0, 54 + 648),
        parsed.signatureData.signature,
      ),
    ).toBe(true);
    const want = quoteBodyFromTdReport(parseTdReport(report), "td15");
    expect(parsed.body).toEqual(want);
    if (parsed.body.kind !== "td15") throw new Error("expected td15");
    expect(toHex(parsed.body.teeTcbSvn2!)).toBe(`090102${"00".repeat(13)}`);
    expect(parsed.body.tdAttributes).toBe(0x10000001n);
    const v5td10 = await simulateQuote(report, p, { version: 5, bodyType: 2 });
    expect(toHex(v5td10.subarray(48, 54))).toBe("020048020000");
  });

  it("TDREPORT field sources (section 13.4): TEE_TCB_INFO and TDINFO map into the body", () => {
    const r = parseTdReport(syntheticTdReport({ reportData: new Uint8Array(64).fill(9), xfam: 0xe7n }));
    const b = quoteBodyFromTdReport(r, "td10");
    expect(b.xfam).toBe(0xe7n);
    expect(toHex(b.reportData)).toBe("09".repeat(64));
    expect(toHex(b.mrTd)).toBe(toHex(r.tdInfo.mrTd));
    expect(b.teeTcbSvn2).toBeUndefined();
  });
});
