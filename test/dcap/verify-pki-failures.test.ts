/** Test PKI: each failing check gives its own error code (fails closed). */
import { beforeAll, describe, expect, it } from "vitest";
import { parseQuote } from "../../src/abi/quote.js";
import type { TestPki } from "../../src/sim/pki.js";
import { signQuote } from "../../src/sim/qe.js";
import { pki, quoteFor, run } from "./test-pki.js";

let base: TestPki;
let quote: Uint8Array;
beforeAll(async () => {
  base = await pki();
  quote = await quoteFor(base);
});

const Y2026 = (m: number, d = 1) => Date.UTC(2026, m - 1, d);

describe("certificates and CRLs", () => {
  it("a revoked PCK (serial in the PCK CRL) → ERR_PCK_REVOKED", async () => {
    const p = await pki({ pckCrlRevoked: ["7e57ed", "4a1b2c3d4e5f60718293a4b5c6d7e8f901234567"] });
    expect(await run(p, await quoteFor(p))).toBe("ERR_PCK_REVOKED");
  });
  it("a revoked Platform CA (serial in the root CRL) → ERR_CERT_REVOKED", async () => {
    const p = await pki({ rootCrlRevoked: ["02c0ffee"] });
    expect(await run(p, await quoteFor(p))).toBe("ERR_CERT_REVOKED");
  });
  it("an expired or not yet valid PCK certificate", async () => {
    const old = await pki({ validity: { pck: [Date.UTC(2019, 0, 1), Y2026(5)] } });
    expect(await run(old, await quoteFor(old))).toBe("ERR_CERT_EXPIRED");
    const future = await pki({ validity: { pck: [Y2026(7), Date.UTC(2033, 0, 1)] } });
    expect(await run(future, await quoteFor(future))).toBe("ERR_CERT_NOT_YET_VALID");
  });
  it("an expired TCB Signing certificate → ERR_CERT_EXPIRED", async () => {
    const p = await pki({ validity: { tcbSigning: [Date.UTC(2019, 0, 1), Y2026(5)] } });
    expect(await run(p, await quoteFor(p))).toBe("ERR_CERT_EXPIRED");
  });
  it("CRL windows: expired / not yet valid", async () => {
    const p = await pki({ crlWindow: [Y2026(1), Y2026(5)] });
    expect(await run(p, await quoteFor(p))).toBe("ERR_CRL_EXPIRED");
    const f = await pki({ crlWindow: [Y2026(7), Y2026(12)] });
    expect(await run(f, await quoteFor(f))).toBe("ERR_CRL_NOT_YET_VALID");
  });
  it("wrong root: the pinned Intel root, or another key as the anchor → ERR_UNTRUSTED_ROOT", async () => {
    expect(await run(base, quote, { trustedRoots: undefined })).toBe("ERR_UNTRUSTED_ROOT");
    const rogue = await pki({ rootKey: "attestation" });
    expect(await run(rogue, await quoteFor(rogue), { trustedRoots: [base.rootCa] })).toBe(
      "ERR_UNTRUSTED_ROOT",
    );
  });
});

describe("TCB info and QE identity", () => {
  it("TCB info for another FMSPC → ERR_FMSPC_MISMATCH; other PCE-ID → ERR_PCEID_MISMATCH", async () => {
    const p = await pki({ tcbInfo: (d) => ({ ...d, fmspc: "00906ED50000" }) });
    expect(await run(p, await quoteFor(p))).toBe("ERR_FMSPC_MISMATCH");
    const q = await pki({ tcbInfo: (d) => ({ ...d, pceId: "0001" }) });
    expect(await run(q, await quoteFor(q))).toBe("ERR_PCEID_MISMATCH");
  });
  it("an SGX TCB info or QE identity for a TDX quote → mismatch", async () => {
    const p = await pki({ qeIdentity: (d) => ({ ...d, id: "QE" }) });
    expect(await run(p, await quoteFor(p))).toBe("ERR_QE_IDENTITY_MISMATCH");
    const t = await pki({ tcbInfo: (d) => ({ ...d, id: "SGX" }) });
    expect(await run(t, await quoteFor(t))).toBe("ERR_TCB_INFO_MISMATCH");
  });
  it("collateral windows: TCB info and QE identity expired / not yet valid", async () => {
    const p = await pki({ collateralWindow: [Y2026(1), Y2026(5)] });
    expect(await run(p, await quoteFor(p))).toBe("ERR_TCB_INFO_EXPIRED");
    const f = await pki({ collateralWindow: [Y2026(7), Y2026(12)] });
    expect(await run(f, await quoteFor(f))).toBe("ERR_TCB_INFO_NOT_YET_VALID");
    const q = await pki({ qeIdentity: (d) => ({ ...d, nextUpdate: "2026-05-01T00:00:00Z" }) });
    expect(await run(q, await quoteFor(q))).toBe("ERR_QE_IDENTITY_EXPIRED");
  });
  it("unsupported TCB info / QE identity versions are format errors", async () => {
    const p = await pki({ tcbInfo: (d) => ({ ...d, version: 2 }) });
    expect(await run(p, await quoteFor(p))).toBe("ERR_COLLATERAL_FORMAT");
  });
  it("QE identity mismatch for each field", async () => {
    const edits: [string, (r: import("../../src/abi/types.js").SgxReportBody) => void][] = [
      [
        "mrSigner",
        (r) => {
          r.mrSigner = new Uint8Array(32).fill(0xb2);
        },
      ],
      [
        "isvProdId",
        (r) => {
          r.isvProdId = 1;
        },
      ],
      [
        "miscSelect",
        (r) => {
          r.miscSelect = 1;
        },
      ],
      [
        "attributes (DEBUG under the mask)",
        (r) => {
          r.attributes[0] = 0x13;
        },
      ],
    ];
    for (const [, edit] of edits) {
      expect(await run(base, await quoteFor(base, {}, { editQeReport: edit }))).toBe(
        "ERR_QE_IDENTITY_MISMATCH",
      );
    }
    // Bit 2 of ATTRIBUTES byte 0 is outside the mask (FB): ignored, as Intel's QVL does.
    const masked = await run(
      base,
      await quoteFor(
        base,
        {},
        {
          editQeReport: (r) => {
            r.attributes[0] = 0x15;
          },
        },
      ),
    );
    expect(typeof masked === "string" ? masked : masked.status).toBe("UpToDate");
  });
  it("QE report data not binding the attestation key → ERR_QE_REPORT_DATA", async () => {
    const q = await quoteFor(
      base,
      {},
      {
        editQeReport: (r) => {
          r.reportData[63] = 1;
        },
      },
    );
    expect(await run(base, q)).toBe("ERR_QE_REPORT_DATA");
  });
  it("MRSIGNERSEAM other than the module identity's → ERR_TDX_MODULE_MISMATCH", async () => {
    const q = parseQuote(quote);
    if (q.body.kind === "sgx") throw new Error("unexpected");
    q.body.mrSignerSeam = new Uint8Array(48).fill(1);
    expect(await run(base, await signQuote(q, base))).toBe("ERR_TDX_MODULE_MISMATCH");
    q.body.mrSignerSeam = new Uint8Array(48);
    q.body.seamAttributes = 1n;
    expect(await run(base, await signQuote(q, base))).toBe("ERR_TDX_MODULE_MISMATCH");
  });
});

describe("quote structure", () => {
  it("an unsupported attestation key type → ERR_UNSUPPORTED_KEY_TYPE", async () => {
    const q = quote.slice();
    q[2] = 3;
    expect(await run(base, q)).toBe("ERR_UNSUPPORTED_KEY_TYPE");
  });
  it("a v5 quote with an unknown body type → ERR_UNSUPPORTED_BODY_TYPE", async () => {
    const q = (await quoteFor(base, {}, { version: 5 })).slice();
    q[48] = 4;
    expect(await run(base, q)).toBe("ERR_UNSUPPORTED_BODY_TYPE");
  });
  it("certification data other than type 6 (or type 6 without a type 5 chain) → ERR_UNSUPPORTED_CERT_DATA", async () => {
    const q = parseQuote(quote);
    const cd = q.signatureData.certificationData;
    if (cd.type !== 6) throw new Error("unexpected");
    q.signatureData.certificationData = cd.inner;
    expect(await run(base, await signQuote(q, base))).toBe("ERR_UNSUPPORTED_CERT_DATA");
    const raw = await quoteFor(base, {}, { innerCertData: { type: 4, data: base.pckLeaf } });
    expect(await run(base, raw)).toBe("ERR_UNSUPPORTED_CERT_DATA");
  });
  it("a quote signed by another key → ERR_QUOTE_SIGNATURE; QE report signed by another key → ERR_QE_REPORT_SIGNATURE", async () => {
    const q = parseQuote(quote);
    const forged = await signQuote(q, {
      ...base,
      signers: { ...base.signers, attestation: base.signers.tcbSigning },
    });
    expect(await run(base, forged)).toBe("ERR_QUOTE_SIGNATURE");
    const cd = q.signatureData.certificationData;
    if (cd.type !== 6) throw new Error("unexpected");
    cd.qeReportSignature = await base.signers.tcbSigning.sign(cd.qeReportBytes);
    expect(await run(base, await signQuote(q, base))).toBe("ERR_QE_REPORT_SIGNATURE");
  });
});
