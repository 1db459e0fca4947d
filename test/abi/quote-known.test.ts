/**
 * Known-answer tests on every real quote of the shared fixtures. Expected values are read from
 * the fixture MANIFEST.md (the values its authors recorded from independent tools), so the test
 * covers each quote listed there without retyping hex; a few facts the MANIFEST states in prose
 * are asserted explicitly below.
 */
import { describe, expect, it } from "vitest";
import { findPckChain } from "../../src/abi/cert-data.js";
import { INTEL_QE_VENDOR_ID } from "../../src/abi/constants.js";
import { attributeNames, u64MemoryHex } from "../../src/abi/flags.js";
import { quoteToJson } from "../../src/abi/json.js";
import { encodeQuote, parseQuote } from "../../src/abi/quote.js";
import type { Quote, TdQuoteBody } from "../../src/abi/types.js";
import { asciiBytes, equalBytes, fromHex, toHex } from "../../src/bytes.js";
import { fixture, fixtureText } from "../support/fixtures.js";

interface Expected {
  name: string;
  bytes: Uint8Array;
  version: number;
  hex: Map<string, string>;
  sigLen: number;
  trailing: number;
  qeIsvSvn: number;
}

const HEX_FIELDS =
  /\b(TEE_TCB_SVN2|TEE_TCB_SVN|TDATTRIBUTES|XFAM|MRSEAM|MRTD|RTMR[0-3]|MRSERVICETD|MRCONFIGID|REPORTDATA) `([0-9a-f]+)`/g;

function sections(): Map<string, string> {
  const text = fixtureText("MANIFEST.md");
  const out = new Map<string, string>();
  for (const part of text.split(/^### /m).slice(1)) {
    const nl = part.indexOf("\n");
    out.set(part.slice(0, nl).trim(), part.slice(nl));
  }
  return out;
}

function expected(): Expected[] {
  const all: Expected[] = [];
  for (const [name, body] of sections()) {
    const isQuote = name.startsWith("quotes/");
    if (!isQuote && name !== "eventlogs/dstack-lite-getquote.json") continue;
    const bytes = isQuote ? fixture(name) : fromHex(JSON.parse(fixtureText(name)).quote as string);
    const sig = /signature data length (\d+); bytes after the signature data: (\d+)/.exec(body);
    all.push({
      name,
      bytes,
      version: Number(/header: version (\d)/.exec(body)?.[1]),
      hex: new Map([...body.matchAll(HEX_FIELDS)].map((m) => [m[1] as string, m[2] as string])),
      // The v3 entry states no lengths: its 4600 bytes are header 48 + body 384 + u32 + L, nothing after.
      sigLen: sig ? Number(sig[1]) : bytes.length - 436,
      trailing: sig ? Number(sig[2]) : 0,
      qeIsvSvn: Number(/QE ISVSVN (\d+)/.exec(body)?.[1] ?? Number.NaN),
    });
  }
  return all;
}

const CASES = expected();

function tdBody(q: Quote): TdQuoteBody {
  if (q.body.kind === "sgx") throw new Error("expected a TD body");
  return q.body;
}

describe("real quotes (MANIFEST.md)", () => {
  it("covers every quote listed (11 files + the dstack JSON quote)", () => {
    expect(CASES.map((c) => c.name).filter((n) => n.startsWith("quotes/"))).toHaveLength(11);
    expect(CASES).toHaveLength(12);
  });

  for (const c of CASES) {
    describe(c.name, () => {
      const q = parseQuote(c.bytes);

      it("header, lengths, trailing bytes and certification data", () => {
        expect(q.header.version).toBe(c.version);
        expect(q.header.attestationKeyType).toBe(2);
        expect(q.header.teeType).toBe(c.version === 3 ? 0 : 0x81);
        expect(equalBytes(q.header.qeVendorId, INTEL_QE_VENDOR_ID)).toBe(true);
        expect(q.signatureDataLength).toBe(c.sigLen);
        expect(q.trailing.length).toBe(c.trailing);
        const cd = q.signatureData.certificationData;
        expect(cd.type).toBe(6);
        if (cd.type !== 6) return;
        if (!Number.isNaN(c.qeIsvSvn)) expect(cd.qeReport.isvSvn).toBe(c.qeIsvSvn);
        expect(cd.inner.type).toBe(5);
        expect(findPckChain(cd)?.certificates).toHaveLength(3);
        expect(
          equalBytes(
            cd.qeReportBytes,
            c.bytes.subarray(cd.qeReportBytes.byteOffset - c.bytes.byteOffset).subarray(0, 384),
          ),
        ).toBe(true);
      });

      it("re-encodes byte-identically, trailing bytes included", () => {
        expect(equalBytes(encodeQuote(q), c.bytes)).toBe(true);
      });

      it("returns views, not copies", () => {
        expect(q.signedBytes.buffer).toBe(c.bytes.buffer);
        expect(q.signatureData.signature.buffer).toBe(c.bytes.buffer);
        expect(q.signedBytes.length).toBe(c.version === 5 ? 54 + 648 : c.version === 4 ? 632 : 432);
      });

      if (c.version === 3) return;
      it("body fields equal the MANIFEST values", () => {
        const b = tdBody(q);
        const h = c.hex;
        expect(toHex(b.teeTcbSvn)).toBe(h.get("TEE_TCB_SVN"));
        expect(u64MemoryHex(b.tdAttributes)).toBe(h.get("TDATTRIBUTES"));
        expect(u64MemoryHex(b.xfam)).toBe(h.get("XFAM"));
        expect(toHex(b.mrSeam)).toBe(h.get("MRSEAM"));
        expect(toHex(b.mrTd)).toBe(h.get("MRTD"));
        for (let i = 0; i < 4; i++) expect(toHex(b.rtmr[i] as Uint8Array)).toBe(h.get(`RTMR${i}`));
        expect(toHex(b.reportData)).toBe(h.get("REPORTDATA"));
        if (h.has("MRCONFIGID")) expect(toHex(b.mrConfigId)).toBe(h.get("MRCONFIGID"));
        expect(b.kind).toBe(c.version === 5 ? "td15" : "td10");
        if (c.version === 5) {
          expect(toHex(b.teeTcbSvn2 as Uint8Array)).toBe(h.get("TEE_TCB_SVN2"));
          expect(toHex(b.mrServiceTd as Uint8Array)).toBe(h.get("MRSERVICETD") ?? "00".repeat(48));
          expect(q.bodyType).toBe(3);
        }
        const j = quoteToJson(q);
        expect(j["teeType"]).toBe("tdx");
        expect((j["body"] as Record<string, unknown>)["mrTd"]).toBe(h.get("MRTD"));
        expect(j["trailingBytes"]).toEqual({ count: c.trailing, allZero: q.trailing.allZero });
      });
    });
  }

  it("prose facts: v3 SVNs and REPORTDATA, debug attribute, SPR E4 trailing text, padding", () => {
    const v3 = parseQuote(fixture("quotes/dcapqvl-sgx-v3.dat"));
    expect([v3.header.qeSvn, v3.header.pceSvn]).toEqual([10, 15]);
    expect(v3.body.kind).toBe("sgx");
    expect(equalBytes(v3.body.reportData.subarray(0, 13), asciiBytes("Hello, world!"))).toBe(true);
    const dbg = parseQuote(fixture("quotes/trustee-q4-debug-v4.dat"));
    expect(attributeNames(tdBody(dbg).tdAttributes)).toEqual(["DEBUG", "SEPT_VE_DISABLE"]);
    const e4 = parseQuote(fixture("quotes/gtdx-spr-e4-v4.dat"));
    expect(e4.trailing.allZero).toBe(false);
    expect(new TextDecoder().decode(e4.trailing.bytes)).toBe("\nextra bytes(only for testing purpose)\n");
    const gcp = parseQuote(fixture("quotes/gtdx-cos113-v4.dat"));
    expect(gcp.trailing.allZero).toBe(true);
    expect(636 + gcp.signatureDataLength).toBe(4935);
    const v5 = fixture("quotes/gtdx-v5-td15.dat");
    expect(toHex(v5.subarray(48, 54))).toBe("030088020000");
  });
});
