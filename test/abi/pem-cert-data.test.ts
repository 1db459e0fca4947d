import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodeCertificationData,
  pckChainCertificationData,
  readCertificationData,
} from "../../src/abi/cert-data.js";
import { encodePemCertificates, parsePemCertificates, trailingNulCount } from "../../src/abi/pem.js";
import { emptyTdParams, encodeTdParams, parseTdParams } from "../../src/abi/td-params.js";
import { encodeTdReport, parseTdReport } from "../../src/abi/td-report.js";
import { ByteReader, utf8 } from "../../src/bytes.js";
import { TdxError } from "../../src/errors.js";

function code(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (e) {
    if (e instanceof TdxError) return e.code;
    throw e;
  }
}

const ders = fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 4 });

describe("PEM chains (cert data type 5)", () => {
  it("round-trips DER through PEM, tolerating trailing NULs", () => {
    fc.assert(
      fc.property(ders, fc.nat(16), (d, pad) => {
        const cd = pckChainCertificationData(d, pad);
        expect(trailingNulCount(cd.pem)).toBe(pad);
        expect(parsePemCertificates(cd.pem)).toEqual(d);
      }),
      { numRuns: 100 },
    );
  });

  it("malformed PEM is ERR_BAD_PEM with the offset", () => {
    const good = encodePemCertificates([Uint8Array.of(1, 2, 3)]);
    expect(code(() => parsePemCertificates(utf8(`junk\n${good}`)))).toBe("ERR_BAD_PEM");
    expect(code(() => parsePemCertificates(utf8(good.replace("AQID", "AQ!D"))))).toBe("ERR_BAD_PEM");
    expect(code(() => parsePemCertificates(utf8(good.replace("-----END CERTIFICATE-----", ""))))).toBe(
      "ERR_BAD_PEM",
    );
    expect(code(() => parsePemCertificates(utf8("")))).toBe("ERR_BAD_PEM");
    const wrap = (b64: string) => utf8(`-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`);
    expect(code(() => parsePemCertificates(wrap("AQ==AQID")))).toBe("ERR_BAD_PEM");
    expect(code(() => parsePemCertificates(wrap("AQIDB")))).toBe("ERR_BAD_PEM");
    expect(parsePemCertificates(wrap("AQ\r\nID"))).toEqual([Uint8Array.of(1, 2, 3)]);
    expect(code(() => parsePemCertificates(new Uint8Array(8)))).toBe("ERR_BAD_PEM");
    const withNulInside = utf8(`${good}\0${good}`);
    expect(code(() => parsePemCertificates(withNulInside))).toBe("ERR_BAD_PEM");
    let err: unknown;
    try {
      parsePemCertificates(utf8(`  x${good}`), "Quote.pem", 0x100);
    } catch (e) {
      err = e;
    }
    expect(err instanceof TdxError && err.at).toEqual({ field: "Quote.pem", offset: 0x102 });
  });

  it("random text never escapes as a non-TdxError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        code(() => parsePemCertificates(b));
      }),
      { numRuns: 300 },
    );
  });
});

describe("certification data", () => {
  it("types 1-4 and 7 stay raw and round-trip; 0, 8 and 0xffff are ERR_BAD_CERT_DATA", () => {
    for (const type of [1, 2, 3, 4, 7] as const) {
      const enc = encodeCertificationData({ type, data: Uint8Array.of(9, 8, 7) });
      const cd = readCertificationData(new ByteReader(enc, "T"), "cd");
      expect(cd).toEqual({ type, data: Uint8Array.of(9, 8, 7) });
    }
    for (const type of [0, 8, 0xffff]) {
      const b = Uint8Array.of(type & 0xff, type >> 8, 0, 0, 0, 0);
      expect(code(() => readCertificationData(new ByteReader(b, "T"), "cd"))).toBe("ERR_BAD_CERT_DATA");
    }
  });
});

describe("TD_PARAMS / TDREPORT robustness and structure round trips", () => {
  it("inputs of any length give a value or a TdxError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1100 }), (b) => {
        code(() => parseTdParams(b));
        code(() => parseTdReport(b));
      }),
      { numRuns: 200 },
    );
  });

  it("parse(encode(p)) deep-equals generated TD_PARAMS values", () => {
    const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    const u32 = fc.nat({ max: 0xffffffff });
    const arb = fc
      .record({
        n: fc.integer({ min: 0, max: 48 }),
        attributes: u64,
        xfam: u64,
        maxVcpus: fc.nat(0xffff),
        numL2Vms: fc.nat(0xff),
        eptpControls: u64,
        configFlags: u64,
        tscFrequency: fc.nat(0xffff),
        mrOwner: fc.uint8Array({ minLength: 48, maxLength: 48 }),
        cpuid: fc.array(fc.record({ eax: u32, ebx: u32, ecx: u32, edx: u32 }), {
          minLength: 48,
          maxLength: 48,
        }),
      })
      .map(({ n, cpuid, ...r }) => ({ ...emptyTdParams(n), ...r, cpuidConfig: cpuid.slice(0, n) }));
    fc.assert(
      fc.property(arb, (p) => {
        expect(parseTdParams(encodeTdParams(p), { numCpuidConfig: p.cpuidConfig.length })).toEqual(p);
      }),
      { numRuns: 100 },
    );
  });

  it("parse(encode(r)) deep-equals generated TDREPORT values", () => {
    const arb = fc
      .record({
        type: fc.nat(0xff),
        version: fc.nat(0xff),
        mrTd: fc.uint8Array({ minLength: 48, maxLength: 48 }),
        servTdHash: fc.uint8Array({ minLength: 48, maxLength: 48 }),
        svn2: fc.uint8Array({ minLength: 16, maxLength: 16 }),
        attributes: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      })
      .map((x) => {
        const r = parseTdReport(new Uint8Array(1024));
        r.reportMac.reportType.type = x.type;
        r.reportMac.reportType.version = x.version;
        r.tdInfo.mrTd = x.mrTd;
        r.tdInfo.servTdHash = x.servTdHash;
        r.tdInfo.attributes = x.attributes;
        r.teeTcbInfo.teeTcbSvn2 = x.svn2;
        return r;
      });
    fc.assert(
      fc.property(arb, (r) => {
        expect(parseTdReport(encodeTdReport(r))).toEqual(r);
      }),
      { numRuns: 100 },
    );
  });
});
