/**
 * Collateral inputs (tdx-reference.md sections 15.1 and 15.5): the dcap-qvl JSON bundle
 * (`QuoteCollateralV3`) and raw Intel PCS / PCCS responses (body + issuer-chain header). Both
 * load into one byte-level `Collateral`; nothing here is trusted yet (verify-collateral.ts
 * checks signatures over exactly these bytes).
 */
import { fromHex, isHexText, utf8 } from "../bytes.js";
import { CollateralError } from "../errors.js";
import { formatError, obj, parseJson, topLevelValueText } from "./json-fields.js";
import { pemBlocks, pemCertificates } from "./pem.js";

/** Collateral for one quote, as bytes exactly as received. */
export interface Collateral {
  /** PCK CRL issuer chain (Platform or Processor CA, root), DER each. */
  pckCrlIssuerChain: Uint8Array[];
  rootCaCrl: Uint8Array;
  pckCrl: Uint8Array;
  /** TCB Signing certificate + root, DER each. */
  tcbInfoIssuerChain: Uint8Array[];
  /** Exact bytes of the `tcbInfo` JSON value. */
  tcbInfo: Uint8Array;
  tcbInfoSignature: Uint8Array;
  qeIdentityIssuerChain: Uint8Array[];
  /** Exact bytes of the `enclaveIdentity` JSON value. */
  qeIdentity: Uint8Array;
  qeIdentitySignature: Uint8Array;
  /** PCK chain for quotes that do not embed one (dcap-qvl `pck_certificate_chain`). */
  pckCertificateChain?: Uint8Array[];
}

function missing(field: string): CollateralError {
  return new CollateralError("ERR_COLLATERAL_MISSING", `collateral.${field}: missing`, {
    field: `collateral.${field}`,
  });
}

function field(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (v === undefined || v === null) throw missing(key);
  if (typeof v !== "string") throw formatError(`collateral.${key}`, "expected a string");
  return v;
}

/** A CRL given as DER bytes, PEM text or hex text (PCCS `rootcacrl` returns hex). */
export function crlBytes(input: Uint8Array | string, name: string): Uint8Array {
  const text =
    typeof input === "string" ? input : input[0] === 0x30 ? undefined : new TextDecoder().decode(input);
  if (text === undefined) return input as Uint8Array;
  const t = text.trim();
  if (t.startsWith("-----BEGIN")) {
    const blocks = pemBlocks(t, "X509 CRL", name);
    if (blocks.length !== 1)
      throw formatError(name, `expected one X509 CRL PEM block, found ${blocks.length}`);
    return blocks[0] as Uint8Array;
  }
  if (isHexText(t)) return fromHex(t, name);
  throw formatError(name, "expected a DER, PEM or hex CRL");
}

/** A 64-byte r || s signature in hex. */
function signature(hex: string, name: string): Uint8Array {
  if (!/^[0-9a-fA-F]{128}$/.test(hex)) throw formatError(name, "expected 64 bytes of hex (r || s)");
  return fromHex(hex, name, 64);
}

/** Issuer-chain header value: percent-encoded PEM (15.1) or plain PEM. */
export function issuerChain(value: string, name: string): Uint8Array[] {
  let text = value;
  if (text.includes("%")) {
    try {
      text = decodeURIComponent(text);
    } catch {
      throw formatError(name, "invalid percent-encoding");
    }
  }
  return pemCertificates(text, name);
}

/** Loads dcap-qvl's collateral JSON (text or already-parsed object; section 15.5). */
export function collateralFromJson(input: string | unknown): Collateral {
  const o = obj(typeof input === "string" ? parseJson(input, "collateral") : input, "collateral");
  const out: Collateral = {
    pckCrlIssuerChain: issuerChain(field(o, "pck_crl_issuer_chain"), "collateral.pck_crl_issuer_chain"),
    rootCaCrl: crlBytes(field(o, "root_ca_crl"), "collateral.root_ca_crl"),
    pckCrl: crlBytes(field(o, "pck_crl"), "collateral.pck_crl"),
    tcbInfoIssuerChain: issuerChain(field(o, "tcb_info_issuer_chain"), "collateral.tcb_info_issuer_chain"),
    tcbInfo: utf8(field(o, "tcb_info")),
    tcbInfoSignature: signature(field(o, "tcb_info_signature"), "collateral.tcb_info_signature"),
    qeIdentityIssuerChain: issuerChain(
      field(o, "qe_identity_issuer_chain"),
      "collateral.qe_identity_issuer_chain",
    ),
    qeIdentity: utf8(field(o, "qe_identity")),
    qeIdentitySignature: signature(field(o, "qe_identity_signature"), "collateral.qe_identity_signature"),
  };
  const pck = o["pck_certificate_chain"];
  if (typeof pck === "string")
    out.pckCertificateChain = pemCertificates(pck, "collateral.pck_certificate_chain");
  return out;
}

/** A signed PCS body split into the exact signed text and its signature. */
export interface SignedBody {
  signed: Uint8Array;
  signature: Uint8Array;
}

/** Splits a PCS `{"tcbInfo":{…},"signature":"…"}` / `{"enclaveIdentity":…}` body (15.1). */
export function splitSignedBody(body: string, key: "tcbInfo" | "enclaveIdentity"): SignedBody {
  const o = obj(parseJson(body, key), key);
  const sig = o["signature"];
  if (typeof sig !== "string") throw missing(`${key}.signature`);
  return { signed: utf8(topLevelValueText(body, key, key)), signature: signature(sig, `${key}.signature`) };
}

/** Raw PCS / PCCS responses with their issuer-chain header values (15.1). */
export interface PcsResponses {
  /** Body of GET …/tcb?fmspc=… */
  tcbInfo: string;
  /** `TCB-Info-Issuer-Chain` (or `SGX-TCB-Info-Issuer-Chain`) header value. */
  tcbInfoIssuerChain: string;
  /** Body of GET …/qe/identity */
  qeIdentity: string;
  /** `SGX-Enclave-Identity-Issuer-Chain` header value. */
  qeIdentityIssuerChain: string;
  /** Body of GET …/pckcrl?ca=… (DER, PEM or hex). */
  pckCrl: Uint8Array | string;
  /** `SGX-PCK-CRL-Issuer-Chain` header value. */
  pckCrlIssuerChain: string;
  /** Root CA CRL (DER, or PCCS's hex text). */
  rootCaCrl: Uint8Array | string;
}

/** Loads raw PCS responses into a Collateral. */
export function collateralFromPcs(r: PcsResponses): Collateral {
  const tcb = splitSignedBody(r.tcbInfo, "tcbInfo");
  const qe = splitSignedBody(r.qeIdentity, "enclaveIdentity");
  return {
    pckCrlIssuerChain: issuerChain(r.pckCrlIssuerChain, "SGX-PCK-CRL-Issuer-Chain"),
    rootCaCrl: crlBytes(r.rootCaCrl, "rootCaCrl"),
    pckCrl: crlBytes(r.pckCrl, "pckCrl"),
    tcbInfoIssuerChain: issuerChain(r.tcbInfoIssuerChain, "TCB-Info-Issuer-Chain"),
    tcbInfo: tcb.signed,
    tcbInfoSignature: tcb.signature,
    qeIdentityIssuerChain: issuerChain(r.qeIdentityIssuerChain, "SGX-Enclave-Identity-Issuer-Chain"),
    qeIdentity: qe.signed,
    qeIdentitySignature: qe.signature,
  };
}
