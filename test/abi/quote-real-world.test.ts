/**
 * Quote shapes the fixtures lack (tdx-reference.md §13): other QE vendors, type 6 whose inner
 * data is not a PEM chain, QE auth data of 0 and 64 bytes, PEM chains with CRLF / extra
 * whitespace / 1 or 4 certificates / NUL padding, huge declared lengths. Built by re-encoding a
 * real quote with changed fields, then decoded and printed through `quote show`.
 */
import { describe, expect, it } from "vitest";
import { pckChainCertificationData } from "../../src/abi/cert-data.js";
import { quoteToJson } from "../../src/abi/json.js";
import { encodeQuote, parseQuote } from "../../src/abi/quote.js";
import { quoteToText } from "../../src/abi/text.js";
import type { CertificationData, Quote } from "../../src/abi/types.js";
import { concatBytes, toBase64, toHex, utf8 } from "../../src/bytes.js";
import { main } from "../../src/cli/main.js";
import { TdxError } from "../../src/errors.js";
import { fixture } from "../support/fixtures.js";

const base = parseQuote(fixture("quotes/gcp-v4.dat"));
const qe = base.signatureData.certificationData;
if (qe.type !== 6) throw new Error("fixture gcp-v4 should carry type 6");

function withCert(
  q: Quote,
  inner: CertificationData,
  auth = qe.type === 6 ? qe.qeAuthData : new Uint8Array(),
): Uint8Array {
  if (qe.type !== 6) throw new Error("unreachable");
  return encodeQuote({
    ...q,
    signatureData: { ...q.signatureData, certificationData: { ...qe, qeAuthData: auth, inner } },
    trailing: { length: 0, allZero: true, bytes: new Uint8Array() },
  });
}

async function show(bytes: Uint8Array, json: boolean): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await main(["quote", "show", "-", ...(json ? ["--json"] : [])], {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      out += s;
    },
    readStdin: () => bytes,
  });
  return { code, out };
}

describe("quotes unlike the fixtures", () => {
  it("another QE vendor decodes and is reported as unknown (text and JSON)", async () => {
    const other = encodeQuote({
      ...base,
      header: { ...base.header, qeVendorId: new Uint8Array(16).fill(0x11) },
    });
    const q = parseQuote(other);
    expect(quoteToText(q)).toMatch(/QE_VENDOR_ID\s+1{32} \(unknown QE vendor\)/);
    expect((quoteToJson(q)["header"] as Record<string, unknown>)["qeVendor"]).toBe("unknown QE vendor");
    expect((quoteToJson(base)["header"] as Record<string, unknown>)["qeVendor"]).toBe("Intel");
    expect((await show(other, false)).code).toBe(0);
  });

  it("type 6 with a raw inner type (1-4, 7) is kept raw and shown", async () => {
    for (const type of [1, 2, 3, 4, 7] as const) {
      const bytes = withCert(base, { type, data: Uint8Array.of(1, 2, 3, 4, 5) });
      const q = parseQuote(bytes);
      const cd = q.signatureData.certificationData;
      expect(cd.type === 6 && cd.inner.type === type).toBe(true);
      const r = await show(bytes, true);
      expect(r.code).toBe(0);
      expect(r.out).toContain('"data": "0102030405"');
    }
  });

  it("QE auth data of 0 and 64 bytes", () => {
    for (const n of [0, 64]) {
      const q = parseQuote(withCert(base, qe.type === 6 ? qe.inner : qe, new Uint8Array(n).fill(7)));
      const cd = q.signatureData.certificationData;
      expect(cd.type === 6 && cd.qeAuthData.length).toBe(n);
    }
  });

  it("PEM chains: CRLF, extra whitespace, 1 and 4 certificates, NUL padding", () => {
    const ders = [
      Uint8Array.of(0x30, 1, 2),
      Uint8Array.of(0x30, 3),
      Uint8Array.of(0x30, 4, 5, 6),
      Uint8Array.of(0x30, 7),
    ];
    for (const n of [1, 4]) {
      const chain = pckChainCertificationData(ders.slice(0, n), 5);
      const text = new TextDecoder().decode(chain.pem).replace(/\0+$/, "");
      for (const variant of [
        text.replace(/\n/g, "\r\n"),
        `\n\n  ${text.replace(/-----\n-----/g, "-----\n\t \n-----")}  \r\n`,
      ]) {
        const pem = concatBytes(utf8(variant), new Uint8Array(3));
        const q = parseQuote(withCert(base, { type: 5, pem, certificates: [] }));
        const cd = q.signatureData.certificationData;
        expect(cd.type === 6 && cd.inner.type === 5 && cd.inner.certificates).toEqual(ders.slice(0, n));
      }
    }
  });

  it("huge declared lengths fail with ERR_TRUNCATED before any allocation", () => {
    const good = fixture("quotes/gcp-v4.dat");
    const sigLenAt = base.signedBytes.length;
    for (const [at, width] of [
      [sigLenAt, 4], // signature data length
      [sigLenAt + 4 + 128 + 2, 4], // certification data size
      [sigLenAt + 4 + 134 + 448, 2], // QE auth data size
    ] as const) {
      const b = good.slice(0, sigLenAt + 4 + base.signatureDataLength);
      const dv = new DataView(b.buffer);
      if (width === 4) dv.setUint32(at, 0xffffffff, true);
      else dv.setUint16(at, 0xffff, true);
      let err: unknown;
      try {
        parseQuote(b);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TdxError);
      expect((err as TdxError).code).toBe("ERR_TRUNCATED");
      expect((err as TdxError).message).toMatch(/declares \d+ bytes at 0x/);
    }
  });

  it("v5 with an SGX body (type 1) decodes and prints", async () => {
    const v3 = parseQuote(fixture("quotes/dcapqvl-sgx-v3.dat"));
    const v5 = encodeQuote({
      ...v3,
      header: { ...v3.header, version: 5 },
      bodyType: 1,
      signatureData: { ...v3.signatureData, certificationData: qe },
      trailing: { length: 0, allZero: true, bytes: new Uint8Array() },
    });
    const q = parseQuote(v5);
    expect([q.header.version, q.bodyType, q.body.kind]).toEqual([5, 1, "sgx"]);
    const text = await show(v5, false);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/DCAP quote v5 \(SGX, SGX enclave report body\)/);
    const json = await show(v5, true);
    expect(JSON.parse(json.out)).toMatchObject({ ok: true, version: 5, teeType: "sgx" });
  });
});

describe("quote show on JSON evidence", () => {
  it("takes the quote field of a dstack (hex) or Trustee-style (base64) JSON object", async () => {
    const bytes = fixture("quotes/gcp-v4.dat");
    const ref = await show(bytes, true);
    for (const body of [
      JSON.stringify({ quote: toHex(bytes), event_log: "[]" }),
      JSON.stringify({ cc_eventlog: "", quote: toBase64(bytes) }),
    ]) {
      const r = await show(utf8(body), true);
      expect(r.code).toBe(0);
      expect(r.out).toBe(ref.out);
    }
    const none = await show(utf8(JSON.stringify({ report: "00" })), false);
    expect(none.code).toBe(3);
    expect(none.out).toMatch(/ERR_BAD_JSON/);
  });
});
