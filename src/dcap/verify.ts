/**
 * DCAP quote verification for TDX (v4, v5) and SGX (v3, v5 type 1) quotes, following Intel's
 * Quote Verification Library (tdx-reference.md section 16). Input: quote bytes, collateral,
 * `now`, trust anchors (default: the pinned Intel SGX Root CA). Every check fails closed with its
 * own VerifyError code; a quote that matches no TCB level is an error, not a status.
 */
import { parseQuote } from "../abi/quote.js";
import type { QeReportCertificationData, Quote } from "../abi/types.js";
import { toHex } from "../bytes.js";
import { defaultCrypto } from "../crypto/index.js";
import { type CryptoBackend, startVerifyP256 } from "../crypto/types.js";
import { ConfigError, ParseError, VerifyError } from "../errors.js";
import { CollateralCache } from "./cache.js";
import type { Collateral } from "./collateral.js";
import { checkCollateralShape, checkOptionsShape } from "./inputs.js";
import { authenticatePck, checkPckAt } from "./pck.js";
import {
  checkQeReportData,
  checkQeReportSignature,
  checkQuoteSignature,
  matchQeIdentity,
} from "./qe-report.js";
import { intelSgxRootCa } from "./root-ca.js";
import { checkIdentities, checkModuleIdentity, pckInfo, tcbVerdict, type VerifiedQuote } from "./verdict.js";
import {
  type AuthenticatedCollateral,
  authenticateCollateral,
  checkCollateralTimes,
  collateralParts,
} from "./verify-collateral.js";
import { type Certificate, parseCertificate } from "./x509.js";

export type { PckInfo, VerifiedQuote } from "./verdict.js";

export const INTEL_QE_VENDOR_ID = "939a7233f79c4ca9940a0db3957f0607";

export interface VerifyQuoteOptions {
  /** Verification time (default: now). */
  now?: Date | number;
  /** Trusted root certificates, DER (default: the pinned Intel SGX Root CA). */
  trustedRoots?: readonly Uint8Array[];
  /** Which TEE the caller accepts (default "tdx": an SGX quote is ERR_UNSUPPORTED_TEE_TYPE). */
  tee?: "tdx" | "sgx" | "any";
  crypto?: CryptoBackend;
  /** Parsed-collateral cache (default: one shared process-wide cache). */
  cache?: CollateralCache;
}

let sharedCache: CollateralCache | undefined;

/** The process-wide collateral cache used when the caller passes none. */
export function defaultCache(crypto: CryptoBackend = defaultCrypto()): CollateralCache {
  if (!sharedCache) sharedCache = new CollateralCache(crypto);
  return sharedCache;
}

function timeOf(now: Date | number | undefined): number {
  const t = now === undefined ? Date.now() : typeof now === "number" ? now : now.getTime();
  if (!Number.isFinite(t))
    throw new ConfigError("ERR_CONFIG", "options.now: not a valid time", { field: "options.now" });
  return t;
}

/** A caller-parsed Quote must at least look like one (bytes go through parseQuote instead). */
function quoteObject(q: unknown): Quote {
  const o = q as Record<string, unknown> | null;
  if (
    typeof q !== "object" ||
    o === null ||
    !o["header"] ||
    !o["body"] ||
    !o["signatureData"] ||
    !o["signedBytes"]
  ) {
    throw new ConfigError("ERR_CONFIG", "quote: expected quote bytes (Uint8Array) or a parsed Quote", {
      field: "quote",
    });
  }
  return q as Quote;
}

function checkTee(q: Quote, tee: "tdx" | "sgx" | "any"): boolean {
  const isTdx = q.body.kind !== "sgx";
  if ((tee === "tdx" && !isTdx) || (tee === "sgx" && isTdx)) {
    throw new ParseError(
      "ERR_UNSUPPORTED_TEE_TYPE",
      `Quote.header.teeType: 0x${q.header.teeType.toString(16)} is not accepted (verifier expects ${tee.toUpperCase()})`,
      { field: "Quote.header.teeType", offset: 4 },
    );
  }
  if (toHex(q.header.qeVendorId) !== INTEL_QE_VENDOR_ID) {
    throw new VerifyError("ERR_QE_VENDOR", "Quote.header.qeVendorId: not Intel's QE", {
      field: "Quote.header.qeVendorId",
    });
  }
  return isTdx;
}

function qeCertData(q: Quote, col: Collateral): { cd: QeReportCertificationData; chain: Uint8Array[] } {
  const cd = q.signatureData.certificationData;
  if (cd.type !== 6) {
    throw new VerifyError(
      "ERR_UNSUPPORTED_CERT_DATA",
      `Quote.certificationData.type: ${cd.type} (need 6, QE report)`,
      {
        field: "Quote.certificationData.type",
      },
    );
  }
  if (cd.inner.type === 5) return { cd, chain: cd.inner.certificates };
  if (col.pckCertificateChain) return { cd, chain: col.pckCertificateChain };
  throw new VerifyError(
    "ERR_UNSUPPORTED_CERT_DATA",
    `Quote.certificationData.inner.type: ${cd.inner.type} (need 5, PCK chain)`,
    {
      field: "Quote.certificationData.inner.type",
    },
  );
}

/**
 * Starts the QE report signature check early, with the key of the certificate that
 * authenticatePck will authenticate (parsed once through the cache), so that it can overlap the
 * chain and collateral checks. Its result is consumed only after the chain verified; a leaf that
 * does not parse is left to authenticatePck, which reports it in the usual order.
 */
function startQeReportCheck(
  cd: QeReportCertificationData,
  chain: readonly Uint8Array[],
  crypto: CryptoBackend,
  cache: CollateralCache,
): { key: Uint8Array; result: boolean | PromiseLike<boolean> } | undefined {
  const der = chain[0];
  if (!der || !crypto.startVerifyP256) return undefined;
  let key: Uint8Array;
  try {
    key = cache.certificate(der, "Quote.pckCertificateChain[0]").publicKey;
  } catch {
    return undefined;
  }
  return { key, result: crypto.startVerifyP256(key, cd.qeReportBytes, cd.qeReportSignature) };
}

let intelAnchor: Certificate[] | undefined;

/**
 * Parsed trust anchors. The default (pinned Intel root) is parsed once per process: it is
 * configuration, not collateral. Custom roots are parsed through the cache.
 */
async function anchorsFor(
  roots: readonly Uint8Array[] | undefined,
  cache: CollateralCache,
): Promise<Certificate[]> {
  if (!roots) {
    if (!intelAnchor) intelAnchor = [parseCertificate(intelSgxRootCa(), "trustAnchor")];
    return intelAnchor;
  }
  return Promise.all(
    roots.map((r, i) => cache.memo("anchor", [r], async () => parseCertificate(r, `trustedRoots[${i}]`))),
  );
}

/** A Collateral over `own` (views of the cache's private copy, in `collateralParts` order). */
function collateralFromParts(own: readonly Uint8Array[], c: Collateral): Collateral {
  let i = 0;
  const next = () => own[i++] as Uint8Array;
  const list = (n: number) => Array.from({ length: n }, next);
  return {
    pckCrlIssuerChain: list(c.pckCrlIssuerChain.length),
    rootCaCrl: next(),
    pckCrl: next(),
    tcbInfoIssuerChain: list(c.tcbInfoIssuerChain.length),
    tcbInfo: next(),
    tcbInfoSignature: next(),
    qeIdentityIssuerChain: list(c.qeIdentityIssuerChain.length),
    qeIdentity: next(),
    qeIdentitySignature: next(),
  };
}

/**
 * Authenticated collateral, memoized by content only: an identity (per-object) cache would
 * return stale results for a Collateral whose bytes were changed in place after a first use.
 */
async function collateralFor(
  c: Collateral,
  anchors: Certificate[],
  crypto: CryptoBackend,
  cache: CollateralCache,
): Promise<AuthenticatedCollateral> {
  const parts = [
    ...collateralParts(c),
    // Chain counts separate the variable-length lists (the PCK chain is not part of the key).
    Uint8Array.of(c.pckCrlIssuerChain.length, c.tcbInfoIssuerChain.length, c.qeIdentityIssuerChain.length),
    ...anchors.map((a) => a.der),
  ];
  // The cached result must not alias the caller's buffers (they could change after this call):
  // it is built on the cache's private copy of the parts.
  return cache.memo("collateral", parts, (own) =>
    authenticateCollateral(collateralFromParts(own, c), anchors, crypto, cache),
  );
}

/**
 * Verifies a DCAP quote against collateral (tdx-reference.md section 16.1). Resolves to the
 * verdict; rejects with a TdxError (ParseError, VerifyError, CollateralError) naming the check.
 */
export async function verifyQuote(
  quote: Uint8Array | Quote,
  collateral: Collateral,
  options: VerifyQuoteOptions = {},
): Promise<VerifiedQuote> {
  checkOptionsShape(options);
  checkCollateralShape(collateral);
  const crypto = options.crypto ?? defaultCrypto();
  const cache = options.cache ?? defaultCache(crypto);
  const now = timeOf(options.now);
  const q = quote instanceof Uint8Array ? parseQuote(quote) : quoteObject(quote);
  const isTdx = checkTee(q, options.tee ?? "tdx");
  const { cd, chain } = qeCertData(q, collateral);
  const anchors = await anchorsFor(options.trustedRoots, cache);
  const sd = q.signatureData;
  // Independent signature work starts together (an asynchronous backend runs it in parallel);
  // results are consumed in a fixed order, so the reported error never depends on timing.
  const quoteSig = startVerifyP256(crypto, sd.attestationKey, q.signedBytes, sd.signature);
  const qeSig = startQeReportCheck(cd, chain, crypto, cache);
  const known = {
    caDer: collateral.pckCrlIssuerChain[0] ?? new Uint8Array(0),
    rootDer: collateral.pckCrlIssuerChain[1] ?? new Uint8Array(0),
  };
  const [colR, pckR] = await Promise.allSettled([
    collateralFor(collateral, anchors, crypto, cache),
    authenticatePck(chain, anchors, crypto, cache, known),
  ]);
  if (colR.status === "rejected") throw colR.reason;
  const col = colR.value;
  checkCollateralTimes(col, now);
  if (pckR.status === "rejected") throw pckR.reason;
  const pck = pckR.value;
  checkPckAt(pck, col, now);
  checkIdentities(isTdx, col, pck);
  if (q.body.kind !== "sgx") checkModuleIdentity(col.tcbInfo, q.body);
  // The early check used the key parsed from the same bytes that authenticatePck just verified.
  await checkQeReportSignature(
    cd,
    pck.leaf.publicKey,
    crypto,
    qeSig?.key === pck.leaf.publicKey ? qeSig.result : undefined,
  );
  checkQeReportData(cd, sd.attestationKey, crypto);
  const qeLevel = matchQeIdentity(cd.qeReport, col.qeIdentity);
  await checkQuoteSignature(quoteSig);
  return {
    ...tcbVerdict(q, col, pck, qeLevel),
    fmspc: toHex(pck.extensions.fmspc),
    tcbEvaluationDataNumber: col.tcbInfo.tcbEvaluationDataNumber,
    pck: pckInfo(pck),
    quote: q,
  };
}
