/**
 * Simulated TD Quoting Enclave: turns a TDREPORT into a signed DCAP quote v4 (TD 1.0 body) or
 * v5 (TD 1.0 or TD 1.5 body) laid out as Intel's QE does (tdx-reference.md sections 13.2-13.5):
 * header + body signed by the attestation key; certification data type 6 holding the QE report
 * (REPORTDATA = SHA-256(attestation key || QE auth data) || 32 zero bytes) signed by the PCK key,
 * the QE auth data, and nested type 5 with the PEM PCK chain.
 */

import { pckChainCertificationData } from "../abi/cert-data.js";
import { INTEL_QE_VENDOR_ID, QUOTE_VERSION, TEE_TYPE } from "../abi/constants.js";
import { encodeQuote } from "../abi/quote.js";
import { emptySgxReportBody, emptyTdQuoteBody, encodeSgxReportBody } from "../abi/quote-body.js";
import { parseTdReport } from "../abi/td-report.js";
import type { CertificationData, Quote, SgxReportBody, TdQuoteBody, TdReport } from "../abi/types.js";
import { concatBytes, fromHex } from "../bytes.js";
import { defaultCrypto } from "../crypto/index.js";
import type { CryptoBackend } from "../crypto/types.js";
import { SimulationError } from "../errors.js";
import type { TestPki } from "./pki.js";
import { TEST_QE_ISVPRODID, TEST_QE_MRSIGNER } from "./pki-collateral.js";

export interface SimulatedQeOptions {
  /** 4 (default) or 5. */
  version?: 4 | 5;
  /** v5 only: 2 = TD 1.0 body, 3 = TD 1.5 body (default 3). */
  bodyType?: 2 | 3;
  /** QE ISVSVN (default 4, the UpToDate level of the test QE identity). */
  qeSvn?: number;
  /** QE authentication data (default 00 01 .. 1F, as Intel's QE). */
  authData?: Uint8Array;
  /** Edits the QE report before it is signed (identity-mismatch tests). */
  editQeReport?: (r: SgxReportBody) => void;
  /** Replaces the nested certification data (type 5 PCK chain by default). */
  innerCertData?: CertificationData;
  crypto?: CryptoBackend;
}

/** The TD quote body a QE builds from a TDREPORT (section 13.4: field sources). */
export function quoteBodyFromTdReport(r: TdReport, kind: "td10" | "td15"): TdQuoteBody {
  const t = r.teeTcbInfo;
  const i = r.tdInfo;
  const body: TdQuoteBody = {
    ...emptyTdQuoteBody(kind),
    teeTcbSvn: t.teeTcbSvn.slice(),
    mrSeam: t.mrSeam.slice(),
    mrSignerSeam: t.mrSignerSeam.slice(),
    seamAttributes: t.attributes,
    tdAttributes: i.attributes,
    xfam: i.xfam,
    mrTd: i.mrTd.slice(),
    mrConfigId: i.mrConfigId.slice(),
    mrOwner: i.mrOwner.slice(),
    mrOwnerConfig: i.mrOwnerConfig.slice(),
    rtmr: [i.rtmr[0].slice(), i.rtmr[1].slice(), i.rtmr[2].slice(), i.rtmr[3].slice()],
    reportData: r.reportMac.reportData.slice(),
  };
  if (kind === "td15") {
    body.teeTcbSvn2 = t.teeTcbSvn2.slice();
    body.mrServiceTd = i.servTdHash.slice();
  }
  return body;
}

/** The QE's own report (SGX report body) binding the attestation key. */
function qeReport(
  attKey: Uint8Array,
  auth: Uint8Array,
  o: SimulatedQeOptions,
  c: CryptoBackend,
): SgxReportBody {
  const r = emptySgxReportBody();
  r.cpuSvn = Uint8Array.from({ length: 16 }, (_, k) => k + 1);
  r.miscSelect = 0;
  r.attributes = fromHex("11000000000000000700000000000000");
  r.mrEnclave = Uint8Array.from({ length: 32 }, (_, k) => 0xe0 ^ k);
  r.mrSigner = fromHex(TEST_QE_MRSIGNER);
  r.isvProdId = TEST_QE_ISVPRODID;
  r.isvSvn = o.qeSvn ?? 4;
  r.reportData = concatBytes(c.hash("sha256", concatBytes(attKey, auth)), new Uint8Array(32));
  o.editQeReport?.(r);
  return r;
}

/**
 * Quotes a TDREPORT (1024 bytes or decoded) with the test PKI's PCK and attestation keys.
 * Returns the quote bytes.
 */
export async function simulateQuote(
  tdReport: Uint8Array | TdReport,
  pki: TestPki,
  o: SimulatedQeOptions = {},
): Promise<Uint8Array> {
  const c = o.crypto ?? defaultCrypto();
  const report = tdReport instanceof Uint8Array ? parseTdReport(tdReport) : tdReport;
  const version = o.version ?? 4;
  if (version !== 4 && version !== 5)
    throw new SimulationError("ERR_SIMULATION", `simulateQuote: version ${version} is not 4 or 5`);
  const kind = version === 5 && (o.bodyType ?? 3) === 3 ? "td15" : "td10";
  const attKey = pki.signers.attestation.publicKey.subarray(1);
  const auth = o.authData ?? Uint8Array.from({ length: 32 }, (_, k) => k);
  const qe = qeReport(attKey, auth, o, c);
  const qeReportBytes = encodeSgxReportBody(qe);
  const quote: Quote = {
    header: {
      version: version === 4 ? QUOTE_VERSION.TDX_V4 : QUOTE_VERSION.V5,
      attestationKeyType: 2,
      teeType: TEE_TYPE.TDX,
      qeSvn: 0,
      pceSvn: 0,
      qeVendorId: INTEL_QE_VENDOR_ID.slice(),
      userData: new Uint8Array(20),
    },
    body: quoteBodyFromTdReport(report, kind),
    signedBytes: new Uint8Array(0),
    signatureDataLength: 0,
    signatureData: {
      signature: new Uint8Array(64),
      attestationKey: attKey.slice(),
      certificationData: {
        type: 6,
        qeReportBytes,
        qeReport: qe,
        qeReportSignature: await pki.signers.pck.sign(qeReportBytes),
        qeAuthData: auth,
        inner: o.innerCertData ?? pckChainCertificationData(pki.pckChain),
      },
    },
    trailing: { length: 0, allZero: true, bytes: new Uint8Array(0) },
  };
  if (version === 5) quote.bodyType = kind === "td15" ? 3 : 2;
  return signQuote(quote, pki);
}

/** Encodes `quote` and (re)signs header || body with the PKI's attestation key. */
export async function signQuote(quote: Quote, pki: TestPki): Promise<Uint8Array> {
  const unsigned = encodeQuote(quote);
  const signedLen = signedPartLength(quote);
  const sig = await pki.signers.attestation.sign(unsigned.subarray(0, signedLen));
  const out = unsigned.slice();
  out.set(sig, signedLen + 4);
  return out;
}

/** Length of header || [descriptor] || body (sections 13.2, 13.3). */
function signedPartLength(q: Quote): number {
  const body = q.body.kind === "sgx" ? 384 : q.body.kind === "td15" ? 648 : 584;
  return 48 + (q.header.version === 5 ? 6 : 0) + body;
}

export interface SyntheticTdReportFields {
  teeTcbSvn?: Uint8Array;
  teeTcbSvn2?: Uint8Array;
  tdAttributes?: bigint;
  xfam?: bigint;
  mrTd?: Uint8Array;
  reportData?: Uint8Array;
}

/**
 * A 1024-byte TDREPORT with the given fields and everything else zero (REPORTTYPE TDX), for
 * tests that need a quote without running the simulated module. Offsets: section 7.3-7.5.
 */
export function syntheticTdReport(f: SyntheticTdReportFields = {}): Uint8Array {
  const b = new Uint8Array(1024);
  const dv = new DataView(b.buffer);
  b[0] = 0x81;
  b.set(f.reportData ?? new Uint8Array(64), 128);
  b.set(f.teeTcbSvn ?? Uint8Array.of(7, 0, 2), 256 + 8);
  b.set(f.teeTcbSvn2 ?? new Uint8Array(16), 256 + 128);
  dv.setBigUint64(512, f.tdAttributes ?? 0x10000000n, true);
  dv.setBigUint64(520, f.xfam ?? 0x61ae7n, true);
  b.set(f.mrTd ?? new Uint8Array(48).fill(0x3d), 528);
  return b;
}
