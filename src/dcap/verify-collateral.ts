/**
 * Collateral authentication (tdx-reference.md section 16.1 steps 3, 5-7): root CA CRL, PCK CRL
 * and its issuer chain, TCB info and QE identity with their TCB Signing chain. The signature
 * checks are time-independent and cached by content; `checkCollateralTimes` applies `now`.
 */

import { equalBytes } from "../bytes.js";
import type { CryptoBackend } from "../crypto/types.js";
import { VerifyError, type VerifyErrorCode } from "../errors.js";
import type { CollateralCache } from "./cache.js";
import {
  certificateCheck,
  checkCa,
  checkCn,
  checkCrl,
  checkedRoot,
  checkIssuedBy,
  checkLeaf,
  checkNotRevoked,
  checkSignatures,
  checkValidity,
  crlCheck,
  pinnedRoot,
} from "./chain.js";
import type { Collateral } from "./collateral.js";
import { parseQeIdentity, parseTcbInfo, type QeIdentity, type TcbInfo } from "./tcb-info.js";
import { type Certificate, type Crl, parseCrl } from "./x509.js";

export const PCK_CA_NAMES = ["Intel SGX PCK Platform CA", "Intel SGX PCK Processor CA"] as const;
export const TCB_SIGNING_NAME = "Intel SGX TCB Signing";

/** Collateral whose signatures all verified up to a trusted root (times not yet checked). */
export interface AuthenticatedCollateral {
  root: Certificate;
  rootCrl: Crl;
  pckCrlIssuer: Certificate;
  pckCrl: Crl;
  tcbInfoSigner: Certificate;
  tcbInfo: TcbInfo;
  qeIdentitySigner: Certificate;
  qeIdentity: QeIdentity;
}

/** A two-certificate issuer chain `[signer, root]` ending at a pinned root (signature checked later). */
function issuerChain(
  chain: readonly Uint8Array[],
  field: string,
  anchors: readonly Certificate[],
  cache: CollateralCache,
): { signer: Certificate; root: Certificate } {
  if (chain.length !== 2) {
    throw new VerifyError(
      "ERR_CERT_CHAIN",
      `${field}: expected 2 certificates (signer, root), found ${chain.length}`,
      {
        field,
      },
    );
  }
  const root = checkedRoot(pinnedRoot(chain[1], anchors, `${field}[1]`));
  const signer = cache.certificate(chain[0] as Uint8Array, `${field}[0]`);
  checkIssuedBy(signer, root, `${field}[0]`);
  return { signer, root };
}

function jsonCheck(
  bytes: Uint8Array,
  sig: Uint8Array,
  signer: Certificate,
  code: VerifyErrorCode,
  field: string,
) {
  return {
    key: signer.publicKey,
    data: bytes,
    signature: sig,
    code,
    field,
    message: "signature does not verify with the TCB Signing key",
  };
}

function sameChain(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((x, i) => equalBytes(x, b[i] as Uint8Array));
}

/**
 * Authenticates every collateral item (signatures, chains, names): everything is parsed and
 * checked structurally first, then all signatures are checked together (checkSignatures), and
 * only then is the signed JSON parsed. Cached by content in verify.ts.
 */
export async function authenticateCollateral(
  c: Collateral,
  anchors: readonly Certificate[],
  crypto: CryptoBackend,
  cache: CollateralCache,
): Promise<AuthenticatedCollateral> {
  const pck = issuerChain(c.pckCrlIssuerChain, "collateral.pckCrlIssuerChain", anchors, cache);
  checkCn(pck.signer, PCK_CA_NAMES, "collateral.pckCrlIssuerChain[0]");
  checkCa(pck.signer, "collateral.pckCrlIssuerChain[0]", true);
  const tcb = issuerChain(c.tcbInfoIssuerChain, "collateral.tcbInfoIssuerChain", anchors, cache);
  // PCS serves the same TCB Signing chain for both; check it once then.
  const sameSigner = sameChain(c.qeIdentityIssuerChain, c.tcbInfoIssuerChain);
  const qe = sameSigner
    ? tcb
    : issuerChain(c.qeIdentityIssuerChain, "collateral.qeIdentityIssuerChain", anchors, cache);
  for (const [s, f] of [
    [tcb.signer, "collateral.tcbInfoIssuerChain[0]"],
    [qe.signer, "collateral.qeIdentityIssuerChain[0]"],
  ] as const) {
    checkCn(s, [TCB_SIGNING_NAME], f);
    checkLeaf(s, f);
  }
  const root = pck.root;
  const rootCrl = parseCrl(c.rootCaCrl, "collateral.rootCaCrl");
  const pckCrl = parseCrl(c.pckCrl, "collateral.pckCrl");
  await checkSignatures(
    [
      certificateCheck(pck.signer, pck.root.publicKey, "collateral.pckCrlIssuerChain[0]"),
      certificateCheck(tcb.signer, tcb.root.publicKey, "collateral.tcbInfoIssuerChain[0]"),
      ...(sameSigner
        ? []
        : [certificateCheck(qe.signer, qe.root.publicKey, "collateral.qeIdentityIssuerChain[0]")]),
      crlCheck(rootCrl, root.publicKey, "collateral.rootCaCrl"),
      crlCheck(pckCrl, pck.signer.publicKey, "collateral.pckCrl"),
      jsonCheck(c.tcbInfo, c.tcbInfoSignature, tcb.signer, "ERR_TCB_INFO_SIGNATURE", "collateral.tcbInfo"),
      jsonCheck(
        c.qeIdentity,
        c.qeIdentitySignature,
        qe.signer,
        "ERR_QE_IDENTITY_SIGNATURE",
        "collateral.qeIdentity",
      ),
    ],
    crypto,
  );
  return {
    root,
    rootCrl,
    pckCrlIssuer: pck.signer,
    pckCrl,
    tcbInfoSigner: tcb.signer,
    tcbInfo: parseTcbInfo(text(c.tcbInfo)),
    qeIdentitySigner: qe.signer,
    qeIdentity: parseQeIdentity(text(c.qeIdentity)),
  };
}

const decoder = new TextDecoder();
const text = (b: Uint8Array) => decoder.decode(b);

/** Every byte of a collateral bundle, for its content key. */
export function collateralParts(c: Collateral): Uint8Array[] {
  return [
    ...c.pckCrlIssuerChain,
    c.rootCaCrl,
    c.pckCrl,
    ...c.tcbInfoIssuerChain,
    c.tcbInfo,
    c.tcbInfoSignature,
    ...c.qeIdentityIssuerChain,
    c.qeIdentity,
    c.qeIdentitySignature,
  ];
}

const iso = (t: number) => new Date(t).toISOString();

function window(
  issue: number,
  next: number,
  now: number,
  field: string,
  codes: [VerifyErrorCode, VerifyErrorCode],
): void {
  if (now < issue)
    throw new VerifyError(codes[0], `${field}: issueDate ${iso(issue)} is in the future`, { field });
  if (now > next) throw new VerifyError(codes[1], `${field}: expired at nextUpdate ${iso(next)}`, { field });
}

/**
 * Time-dependent checks at `now`: TCB info and QE identity windows first (so a stale bundle
 * reports the collateral that went stale), then the CRL windows, certificate validity and root
 * CRL revocation of the intermediate and signing certificates.
 */
export function checkCollateralTimes(a: AuthenticatedCollateral, now: number): void {
  window(a.tcbInfo.issueDate, a.tcbInfo.nextUpdate, now, "collateral.tcbInfo", [
    "ERR_TCB_INFO_NOT_YET_VALID",
    "ERR_TCB_INFO_EXPIRED",
  ]);
  window(a.qeIdentity.issueDate, a.qeIdentity.nextUpdate, now, "collateral.qeIdentity", [
    "ERR_QE_IDENTITY_NOT_YET_VALID",
    "ERR_QE_IDENTITY_EXPIRED",
  ]);
  checkValidity(a.root, now, "trustAnchor");
  checkCrl(a.rootCrl, a.root, now, "collateral.rootCaCrl");
  checkCrl(a.pckCrl, a.pckCrlIssuer, now, "collateral.pckCrl");
  for (const [cert, f] of [
    [a.pckCrlIssuer, "collateral.pckCrlIssuerChain[0]"],
    [a.tcbInfoSigner, "collateral.tcbInfoIssuerChain[0]"],
    [a.qeIdentitySigner, "collateral.qeIdentityIssuerChain[0]"],
  ] as const) {
    checkValidity(cert, now, f);
    checkNotRevoked(cert, a.rootCrl, f);
  }
}
