/**
 * Certificate and CRL checks shared by the PCK chain and the collateral issuer chains
 * (tdx-reference.md sections 14.2 and 16.1 steps 2-5): signatures over the TBS bytes as
 * received, validity at `now`, CA constraints, and the pinned root.
 */
import { equalBytes } from "../bytes.js";
import { type CryptoBackend, startVerifyP256 } from "../crypto/types.js";
import { VerifyError, type VerifyErrorCode } from "../errors.js";
import { type Certificate, type Crl, isRevoked } from "./x509.js";

function fail(code: VerifyErrorCode, field: string, message: string): never {
  throw new VerifyError(code, `${field}: ${message}`, { field });
}

const iso = (t: number) => new Date(t).toISOString();

/** One pending ECDSA check: `data` signed by `key`, failing with `code` at `field`. */
export interface SignatureCheck {
  key: Uint8Array;
  data: Uint8Array;
  signature: Uint8Array;
  code: VerifyErrorCode;
  field: string;
  message: string;
}

/**
 * Starts every check at once (a backend with `startVerifyP256` can run them on another core; a
 * synchronous one simply runs them in order), then reports the first failure in list order, so the error
 * does not depend on timing. Every check must pass.
 */
export async function checkSignatures(
  checks: readonly SignatureCheck[],
  crypto: CryptoBackend,
): Promise<void> {
  const results = checks.map((c) => startVerifyP256(crypto, c.key, c.data, c.signature));
  for (const [i, c] of checks.entries()) {
    if (!(await results[i])) fail(c.code, c.field, c.message);
  }
}

/** The check of a certificate's signature by `issuerKey`. */
export function certificateCheck(cert: Certificate, issuerKey: Uint8Array, field: string): SignatureCheck {
  return {
    key: issuerKey,
    data: cert.tbs,
    signature: cert.signature,
    code: "ERR_CERT_SIGNATURE",
    field,
    message: `signature of "${cert.subjectCn ?? "?"}" does not verify with its issuer's key`,
  };
}

/** The check of a CRL's signature by `issuerKey`. */
export function crlCheck(crl: Crl, issuerKey: Uint8Array, field: string): SignatureCheck {
  return {
    key: issuerKey,
    data: crl.tbs,
    signature: crl.signature,
    code: "ERR_CRL_SIGNATURE",
    field,
    message: `signature of the CRL issued by "${crl.issuerCn ?? "?"}" does not verify`,
  };
}

/** Validity window of a certificate at `now` (RFC 5280 4.1.2.5, inclusive bounds). */
export function checkValidity(cert: Certificate, now: number, field: string): void {
  if (now < cert.notBefore) {
    fail(
      "ERR_CERT_NOT_YET_VALID",
      field,
      `"${cert.subjectCn ?? "?"}" is not valid before ${iso(cert.notBefore)}`,
    );
  }
  if (now > cert.notAfter)
    fail("ERR_CERT_EXPIRED", field, `"${cert.subjectCn ?? "?"}" expired ${iso(cert.notAfter)}`);
}

/** CRL window at `now` and issuer name equal to the certificate it covers. */
export function checkCrl(crl: Crl, issuer: Certificate, now: number, field: string): void {
  if (!equalBytes(crl.issuerRaw, issuer.subjectRaw)) {
    fail("ERR_CRL_ISSUER", field, `CRL issuer "${crl.issuerCn ?? "?"}" is not "${issuer.subjectCn ?? "?"}"`);
  }
  if (now < crl.thisUpdate)
    fail("ERR_CRL_NOT_YET_VALID", field, `thisUpdate ${iso(crl.thisUpdate)} is in the future`);
  if (now > crl.nextUpdate) fail("ERR_CRL_EXPIRED", field, `nextUpdate ${iso(crl.nextUpdate)} has passed`);
}

/** CA constraints of an issuing certificate (basicConstraints cA, keyCertSign when present). */
export function checkCa(cert: Certificate, field: string, signsCrls = false): void {
  if (!cert.basicConstraints?.ca)
    fail("ERR_CERT_CONSTRAINTS", field, `"${cert.subjectCn ?? "?"}" is not a CA`);
  const ku = cert.keyUsage;
  if (ku !== undefined && (ku & (1 << 5)) === 0)
    fail("ERR_CERT_CONSTRAINTS", field, "keyUsage lacks keyCertSign");
  if (signsCrls && ku !== undefined && (ku & (1 << 6)) === 0)
    fail("ERR_CERT_CONSTRAINTS", field, "keyUsage lacks cRLSign");
}

/** A leaf must not be a CA (PCK and TCB Signing certificates). */
export function checkLeaf(cert: Certificate, field: string): void {
  if (cert.basicConstraints?.ca)
    fail("ERR_CERT_CONSTRAINTS", field, `"${cert.subjectCn ?? "?"}" must not be a CA`);
}

export function checkCn(cert: Certificate, allowed: readonly string[], field: string): void {
  const cn = cert.subjectCn ?? "";
  if (!allowed.some((a) => cn === a))
    fail("ERR_CERT_CHAIN", field, `unexpected subject CN "${cn}" (want ${allowed.join(" or ")})`);
}

/**
 * The trust anchor for a chain whose last element is `rootDer`: it must be byte-equal to one of
 * the trusted roots (section 14.1: never trust a root found in a quote or a header by itself).
 */
export function pinnedRoot(
  rootDer: Uint8Array | undefined,
  anchors: readonly Certificate[],
  field: string,
): Certificate {
  const hit = rootDer && anchors.find((a) => equalBytes(a.der, rootDer));
  if (!hit) fail("ERR_UNTRUSTED_ROOT", field, "the chain does not end at a trusted root certificate");
  return hit;
}

/**
 * A trusted root must be a self-issued CA. Its self-signature is not checked: a trust anchor is
 * trusted by configuration (pinned by its bytes), and the self-signature adds no assurance.
 */
export function checkedRoot(root: Certificate): Certificate {
  const field = "trustAnchor";
  if (!equalBytes(root.issuerRaw, root.subjectRaw))
    fail("ERR_CERT_CHAIN", field, "the root is not self-issued");
  checkCa(root, field, true);
  return root;
}

/** Issuer name linkage (child.issuer == parent.subject). */
export function checkIssuedBy(child: Certificate, parent: Certificate, field: string): void {
  if (!equalBytes(child.issuerRaw, parent.subjectRaw)) {
    fail(
      "ERR_CERT_CHAIN",
      field,
      `issuer of "${child.subjectCn ?? "?"}" is not "${parent.subjectCn ?? "?"}"`,
    );
  }
}

/** Not listed in the CRL (serial compare); `code` distinguishes PCK revocation. */
export function checkNotRevoked(
  cert: Certificate,
  crl: Crl,
  field: string,
  code: VerifyErrorCode = "ERR_CERT_REVOKED",
): void {
  if (isRevoked(crl, cert)) fail(code, field, `"${cert.subjectCn ?? "?"}" serial ${cert.serial} is revoked`);
}
