/**
 * Property tests for the quote codec: hostile input only ever produces a value or a TdxError,
 * and encode(parse(x)) == x for generated valid quotes of every version and cert data type.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pckChainCertificationData } from "../../src/abi/cert-data.js";
import { INTEL_QE_VENDOR_ID } from "../../src/abi/constants.js";
import { encodeQuote, parseQuote } from "../../src/abi/quote.js";
import { emptySgxReportBody, emptyTdQuoteBody, parseSgxReportBody } from "../../src/abi/quote-body.js";
import type { CertificationData, Quote, QuoteBody, TdQuoteBody } from "../../src/abi/types.js";
import { equalBytes, fromHex } from "../../src/bytes.js";
import { TdxError } from "../../src/errors.js";
import { fixture, fixtureText } from "../support/fixtures.js";

const QUOTES = [
  "azure-v4.dat",
  "dcapqvl-sgx-v3.dat",
  "dcapqvl-tdx-v4.dat",
  "dstack-tappd-v4.dat",
  "edgeless-v4.dat",
  "gcp-v4.dat",
  "gtdx-cos113-v4.dat",
  "gtdx-spr-e4-v4.dat",
  "gtdx-v5-td15.dat",
  "trustee-q4-debug-v4.dat",
  "trustee-q5-v5-td15.dat",
].map((f) => [f, fixture(`quotes/${f}`)] as const);
const ALL = [
  ...QUOTES,
  [
    "dstack-lite",
    fromHex(JSON.parse(fixtureText("eventlogs/dstack-lite-getquote.json")).quote as string),
  ] as const,
];

/** Parses; returns the quote, or the TdxError; any other exception fails the test. */
function tryParse(b: Uint8Array): Quote | TdxError {
  try {
    return parseQuote(b);
  } catch (e) {
    if (e instanceof TdxError) return e;
    throw new Error(`non-TdxError from parseQuote: ${String(e)}`);
  }
}

/** Offsets of every length/type/version field of a parsed real quote. */
function fieldOffsets(q: Quote): number[] {
  const v = q.header.version;
  const offs = [0, 1, 2, 3, 4, 5, 6, 7];
  if (v === 5) offs.push(48, 49, 50, 51, 52, 53);
  const sigLenAt = q.signedBytes.length;
  offs.push(sigLenAt, sigLenAt + 1, sigLenAt + 2, sigLenAt + 3);
  const sd = sigLenAt + 4;
  // v4/v5: cert type (2) + size (4) at sd+128; type 6 payload starts at sd+134.
  const qe = v === 3 ? sd + 128 : sd + 134;
  if (v !== 3) for (let i = 0; i < 6; i++) offs.push(sd + 128 + i);
  offs.push(qe + 448, qe + 449); // QE auth data size
  const cd = q.signatureData.certificationData;
  const auth = cd.type === 6 ? cd.qeAuthData.length : 0;
  for (let i = 0; i < 6; i++) offs.push(qe + 450 + auth + i); // nested type + size
  return offs;
}

describe("quote parser robustness", () => {
  it("random bytes give a quote or a TdxError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => {
        tryParse(b);
      }),
      { numRuns: 500 },
    );
  });

  it("random bytes behind a valid v4/v5 header give a quote or a TdxError", () => {
    const prefixes = [QUOTES[2]![1].subarray(0, 48), QUOTES[8]![1].subarray(0, 54)];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 1500 }), (p, rest) => {
        const b = new Uint8Array(p.length + rest.length);
        b.set(p);
        b.set(rest, p.length);
        const r = tryParse(b);
        expect(r instanceof TdxError).toBe(true); // a random signature data tail cannot be well formed
      }),
      { numRuns: 300 },
    );
  });

  it("every truncation of every real quote before the end of its signature data is ERR_TRUNCATED", () => {
    for (const [name, full] of ALL) {
      const q = parseQuote(full);
      const end = full.length - q.trailing.length;
      for (let n = 0; n < full.length; n++) {
        const r = tryParse(full.subarray(0, n));
        if (n < end) {
          expect(r instanceof TdxError ? r.code : "parsed", `${name} cut at ${n}`).toBe("ERR_TRUNCATED");
        } else {
          expect(r instanceof TdxError, `${name} cut at ${n} (inside trailing bytes)`).toBe(false);
        }
      }
    }
  });

  it("single-byte mutations of length, type and version fields give a quote or a TdxError", () => {
    for (const [name, full] of ALL) {
      const q = parseQuote(full);
      for (const off of fieldOffsets(q)) {
        for (const val of [0x00, 0x01, 0x02, 0x05, 0x06, 0x7f, 0x80, 0xff, (full[off] ?? 0) ^ 0x01]) {
          const m = full.slice();
          m[off] = val;
          const r = tryParse(m);
          if (!(r instanceof TdxError))
            expect(r.header.version, `${name}@${off}=${val}`).toBeGreaterThanOrEqual(3);
        }
      }
    }
  });

  it("unsupported header values and body descriptors get their own codes", () => {
    const v4 = QUOTES[2]![1];
    const v5 = QUOTES[8]![1];
    const mut = (b: Uint8Array, off: number, val: number) => {
      const m = b.slice();
      m[off] = val;
      return tryParse(m);
    };
    expect((mut(v4, 0, 6) as TdxError).code).toBe("ERR_UNSUPPORTED_VERSION");
    expect((mut(v4, 2, 3) as TdxError).code).toBe("ERR_UNSUPPORTED_KEY_TYPE");
    expect((mut(v4, 4, 0) as TdxError).code).toBe("ERR_UNSUPPORTED_TEE_TYPE");
    expect((mut(v5, 48, 9) as TdxError).code).toBe("ERR_UNSUPPORTED_BODY_TYPE");
    expect((mut(v5, 50, 0x89) as TdxError).code).toBe("ERR_BODY_SIZE_MISMATCH");
    expect((mut(v4, 636 + 128, 9) as TdxError).code).toBe("ERR_BAD_CERT_DATA");
    const e = mut(v4, 636 + 131, 0x40) as TdxError; // cert data size + 0x400000
    expect(e.code).toBe("ERR_TRUNCATED");
    expect(e.message).toMatch(
      /^Quote\.signatureData\.certificationData\.data: declares \d+ bytes at 0x302, \d+ remain$/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Generated valid quotes

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

const tdBodyArb = (kind: "td10" | "td15"): fc.Arbitrary<TdQuoteBody> =>
  fc
    .record({
      teeTcbSvn: bytes(16),
      mrSeam: bytes(48),
      seamAttributes: u64,
      tdAttributes: u64,
      xfam: u64,
      mrTd: bytes(48),
      rtmr: fc.tuple(bytes(48), bytes(48), bytes(48), bytes(48)),
      reportData: bytes(64),
      teeTcbSvn2: bytes(16),
      mrServiceTd: bytes(48),
    })
    .map((r) => {
      const { teeTcbSvn2, mrServiceTd, ...common } = r;
      const b: TdQuoteBody = { ...emptyTdQuoteBody(kind), ...common, kind };
      return kind === "td15" ? { ...b, teeTcbSvn2, mrServiceTd } : b;
    });

const sgxBodyArb = bytes(384).map((b) => parseSgxReportBody(b));

const innerArb: fc.Arbitrary<CertificationData> = fc.oneof(
  fc
    .tuple(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 3 }),
      fc.nat(8),
    )
    .map(([ders, pad]) => pckChainCertificationData(ders, pad)),
  fc
    .tuple(fc.constantFrom(1, 2, 3, 4, 7), fc.uint8Array({ maxLength: 300 }))
    .map(([type, data]) => ({ type, data }) as CertificationData),
);

const qeArb = fc
  .record({ report: sgxBodyArb, sig: bytes(64), auth: fc.uint8Array({ maxLength: 64 }), inner: innerArb })
  .map(
    (r): CertificationData => ({
      type: 6,
      qeReport: r.report,
      qeReportBytes: new Uint8Array(0),
      qeReportSignature: r.sig,
      qeAuthData: r.auth,
      inner: r.inner,
    }),
  );

const quoteArb: fc.Arbitrary<Quote> = fc
  .record({
    version: fc.constantFrom(3, 4, 5),
    v5kind: fc.constantFrom<"sgx" | "td10" | "td15">("sgx", "td10", "td15"),
    svns: fc.tuple(fc.nat(0xffff), fc.nat(0xffff)),
    userData: bytes(20),
    td10: tdBodyArb("td10"),
    td15: tdBodyArb("td15"),
    sgx: sgxBodyArb,
    sig: bytes(64),
    key: bytes(64),
    cd: fc.oneof(qeArb, innerArb),
    qe: qeArb,
    trailing: fc.uint8Array({ maxLength: 40 }),
  })
  .map((r) => {
    const kind = r.version === 3 ? "sgx" : r.version === 4 ? "td10" : r.v5kind;
    const body: QuoteBody = kind === "sgx" ? r.sgx : kind === "td10" ? r.td10 : r.td15;
    return {
      header: {
        version: r.version,
        attestationKeyType: 2,
        teeType: kind === "sgx" ? 0 : 0x81,
        qeSvn: r.svns[0],
        pceSvn: r.svns[1],
        qeVendorId: INTEL_QE_VENDOR_ID,
        userData: r.userData,
      },
      body,
      signedBytes: new Uint8Array(0),
      signatureDataLength: 0,
      signatureData: {
        signature: r.sig,
        attestationKey: r.key,
        certificationData: r.version === 3 ? r.qe : r.cd,
      },
      trailing: { length: r.trailing.length, allZero: false, bytes: r.trailing },
    };
  });

describe("generated quotes", () => {
  it("encode(parse(encode(q))) == encode(q) and fields survive", () => {
    fc.assert(
      fc.property(quoteArb, (q) => {
        const enc = encodeQuote(q);
        const p = parseQuote(enc);
        expect(equalBytes(encodeQuote(p), enc)).toBe(true);
        expect(p.body.kind).toBe(q.body.kind);
        expect(p.signatureData.certificationData.type).toBe(q.signatureData.certificationData.type);
        expect(p.trailing.length).toBe(q.trailing.length);
        expect(p.signatureDataLength).toBe(enc.length - p.signedBytes.length - 4 - q.trailing.length);
      }),
      { numRuns: 200 },
    );
  });

  it("encoders reject bodies that do not fit the version", () => {
    const q = parseQuote(QUOTES[2]![1]);
    expect(() => encodeQuote({ ...q, body: emptySgxReportBody() })).toThrow(TdxError);
    expect(() => encodeQuote({ ...q, body: emptyTdQuoteBody("td15") })).toThrow(TdxError);
  });
});
