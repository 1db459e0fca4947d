/**
 * X.509 v3 certificates and v2 CRLs, decoded with the strict DER reader (RFC 5280 4.1 and 5.1)
 * and limited to what Intel's PCS PKI uses: ECDSA P-256 keys, ecdsa-with-SHA256 signatures
 * (tdx-reference.md section 14.2). The TBS bytes are kept as views of the input, because the
 * signature covers them exactly as received.
 */

import { equalBytes, toHex } from "../bytes.js";
import {
  children,
  type DerElement,
  decodeDer,
  ecdsaDerToRaw,
  readBitString,
  readBoolean,
  readOctets,
  readOid,
  readSmallInt,
  readString,
  readTime,
  readTlv,
  readUnsigned,
  sequence,
  TAG,
} from "../crypto/der.js";
import { ParseError } from "../errors.js";

export const OID = {
  ecPublicKey: "1.2.840.10045.2.1",
  prime256v1: "1.2.840.10045.3.1.7",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  sgxExtensions: "1.2.840.113741.1.13.1",
} as const;

export interface Extension {
  critical: boolean;
  value: Uint8Array;
}

export interface Certificate {
  /** The whole DER encoding (a view of the input). */
  der: Uint8Array;
  /** tbsCertificate as received: the signed bytes. */
  tbs: Uint8Array;
  /** Serial number magnitude, lowercase hex without leading zeros. */
  serial: string;
  /** Serial number magnitude bytes (no leading zero byte). */
  serialBytes: Uint8Array;
  issuerRaw: Uint8Array;
  subjectRaw: Uint8Array;
  issuerCn: string | undefined;
  subjectCn: string | undefined;
  notBefore: number;
  notAfter: number;
  /** Uncompressed P-256 point, 65 bytes (0x04 || x || y). */
  publicKey: Uint8Array;
  /** Raw r || s (64 bytes), converted from the DER ECDSA-Sig-Value. */
  signature: Uint8Array;
  extensions: Map<string, Extension>;
  basicConstraints: { ca: boolean; pathLen?: number } | undefined;
  /** KeyUsage bits (bit 0 = digitalSignature ... bit 5 = keyCertSign, bit 6 = cRLSign), if present. */
  keyUsage: number | undefined;
}

export interface Crl {
  der: Uint8Array;
  tbs: Uint8Array;
  issuerRaw: Uint8Array;
  issuerCn: string | undefined;
  thisUpdate: number;
  nextUpdate: number;
  /** Serial magnitudes (no leading zero byte) of the revoked certificates, in CRL order. */
  revoked: Uint8Array[];
  signature: Uint8Array;
}

function bad(context: string, why: string, offset?: number): never {
  throw new ParseError("ERR_BAD_DER", `${context}: ${why}`, {
    field: context,
    ...(offset === undefined ? {} : { offset }),
  });
}

/** AlgorithmIdentifier must be ecdsa-with-SHA256 with absent parameters (RFC 5758 3.2). */
function checkSigAlg(el: DerElement, context: string): void {
  const [oid] = sequence(el, context, 1) as [DerElement];
  const o = readOid(oid, context);
  if (o !== OID.ecdsaWithSha256) {
    throw new ParseError(
      "ERR_UNSUPPORTED_KEY_TYPE",
      `${context}: signature algorithm ${o} is not ecdsa-with-SHA256`,
      {
        field: context,
        offset: el.offset,
      },
    );
  }
}

/** The first CN in a Name (RDNSequence), or undefined. */
function commonName(name: DerElement, context: string): string | undefined {
  for (const rdn of children(name, context)) {
    for (const atv of children(rdn, context)) {
      const [t, v] = sequence(atv, context, 2) as [DerElement, DerElement];
      if (readOid(t, context) === OID.commonName) return readString(v, `${context}.CN`);
    }
  }
  return undefined;
}

/** Serial magnitude as lowercase hex without leading zero digits (one canonical form). */
function serialHex(el: DerElement, context: string): string {
  const h = toHex(readUnsigned(el, context));
  return h.length > 1 && h[0] === "0" ? h.slice(1) : h;
}

function readP256Spki(el: DerElement, context: string): Uint8Array {
  const [alg, key] = sequence(el, context, 2) as [DerElement, DerElement];
  const [a, c] = sequence(alg, context, 1, 2) as [DerElement, DerElement | undefined];
  const algOid = readOid(a, context);
  const curve = c && c.tag === TAG.OID ? readOid(c, context) : undefined;
  if (algOid !== OID.ecPublicKey || curve !== OID.prime256v1) {
    throw new ParseError(
      "ERR_UNSUPPORTED_KEY_TYPE",
      `${context}: key ${algOid}/${curve ?? "-"} is not EC P-256`,
      {
        field: context,
        offset: el.offset,
      },
    );
  }
  const point = readBitString(key, context);
  if (point.length !== 65 || point[0] !== 4)
    bad(context, "P-256 key must be an uncompressed point", key.offset);
  return point;
}

function readExtensions(el: DerElement, context: string): Map<string, Extension> {
  const out = new Map<string, Extension>();
  const [seq] = children(el, context) as [DerElement];
  for (const ext of sequence(seq, context, 1, 64)) {
    const parts = sequence(ext, context, 2, 3);
    const oid = readOid(parts[0] as DerElement, context);
    const critical = parts.length === 3 ? readBoolean(parts[1] as DerElement, `${context}.critical`) : false;
    const value = readOctets(parts[parts.length - 1] as DerElement, `${context}.${oid}`);
    if (out.has(oid)) bad(context, `duplicate extension ${oid}`, ext.offset);
    out.set(oid, { critical, value });
  }
  return out;
}

function basicConstraints(ext: Extension | undefined, context: string): Certificate["basicConstraints"] {
  if (!ext) return undefined;
  const items = sequence(decodeDer(ext.value, TAG.SEQUENCE, context), context, 0, 2);
  let ca = false;
  let pathLen: number | undefined;
  for (const it of items) {
    if (it.tag === TAG.BOOLEAN) ca = readBoolean(it, `${context}.cA`);
    else pathLen = readSmallInt(it, `${context}.pathLenConstraint`);
  }
  return pathLen === undefined ? { ca } : { ca, pathLen };
}

/** KeyUsage BIT STRING → bit mask with bit i = named bit i (RFC 5280 4.2.1.3). */
function keyUsage(ext: Extension | undefined, context: string): number | undefined {
  if (!ext) return undefined;
  const el = decodeDer(ext.value, TAG.BIT_STRING, context);
  const c = el.content;
  if (c.length < 2 || c.length > 3 || (c[0] as number) > 7) bad(context, "malformed KeyUsage", el.offset);
  let mask = 0;
  for (let i = 1; i < c.length; i++) {
    for (let b = 0; b < 8; b++) if ((c[i] as number) & (0x80 >> b)) mask |= 1 << ((i - 1) * 8 + b);
  }
  return mask;
}

const KNOWN_CRITICAL = new Set<string>([OID.basicConstraints, OID.keyUsage]);

/** Decodes one DER certificate. Unknown critical extensions are rejected (RFC 5280 4.2). */
export function parseCertificate(der: Uint8Array, context = "Certificate"): Certificate {
  const [tbsEl, algEl, sigEl] = sequence(decodeDer(der, TAG.SEQUENCE, context), context, 3) as [
    DerElement,
    DerElement,
    DerElement,
  ];
  checkSigAlg(algEl, `${context}.signatureAlgorithm`);
  const t = `${context}.tbsCertificate`;
  const f = sequence(tbsEl, t, 7, 10);
  const ver = f[0] as DerElement;
  if (
    ver.tag !== 0xa0 ||
    readSmallInt(readTlv(ver.buf, ver.contentStart, `${t}.version`, ver.base, ver.end), `${t}.version`) !== 2
  ) {
    bad(`${t}.version`, "only X.509 v3 certificates are supported", ver.offset);
  }
  checkSigAlg(f[2] as DerElement, `${t}.signature`);
  const [nb, na] = sequence(f[4] as DerElement, `${t}.validity`, 2) as [DerElement, DerElement];
  let extensions = new Map<string, Extension>();
  for (const opt of f.slice(7)) {
    if (opt.tag === 0xa3) extensions = readExtensions(opt, `${t}.extensions`);
    else if (opt.tag !== 0x81 && opt.tag !== 0x82)
      bad(t, `unexpected field tag 0x${opt.tag.toString(16)}`, opt.offset);
  }
  for (const [oid, e] of extensions) {
    if (e.critical && !KNOWN_CRITICAL.has(oid)) bad(`${t}.extensions`, `unknown critical extension ${oid}`);
  }
  return {
    der,
    tbs: tbsEl.raw,
    serial: serialHex(f[1] as DerElement, `${t}.serialNumber`),
    serialBytes: readUnsigned(f[1] as DerElement, `${t}.serialNumber`),
    issuerRaw: (f[3] as DerElement).raw,
    subjectRaw: (f[5] as DerElement).raw,
    issuerCn: commonName(f[3] as DerElement, `${t}.issuer`),
    subjectCn: commonName(f[5] as DerElement, `${t}.subject`),
    notBefore: readTime(nb, `${t}.validity.notBefore`),
    notAfter: readTime(na, `${t}.validity.notAfter`),
    publicKey: readP256Spki(f[6] as DerElement, `${t}.subjectPublicKeyInfo`),
    signature: ecdsaDerToRaw(readBitString(sigEl, `${context}.signatureValue`), `${context}.signatureValue`),
    extensions,
    basicConstraints: basicConstraints(extensions.get(OID.basicConstraints), `${t}.basicConstraints`),
    keyUsage: keyUsage(extensions.get(OID.keyUsage), `${t}.keyUsage`),
  };
}

function isTime(el: DerElement | undefined): el is DerElement {
  return el !== undefined && (el.tag === TAG.UTC_TIME || el.tag === TAG.GENERALIZED_TIME);
}

/**
 * A CRL entry's serial as an unsigned magnitude. RFC 5280 4.1.2.2 asks relying parties to handle
 * non-conforming CAs gracefully: a zero-padded or "negative" serial must neither make the whole
 * CRL unusable nor escape the lookup, so leading zero bytes are dropped and the sign bit ignored
 * (a negative entry can only over-revoke, which fails closed).
 */
function crlSerialMagnitude(el: DerElement, field: string): Uint8Array {
  if (el.tag !== TAG.INTEGER || el.content.length === 0)
    bad(field, "expected a non-empty INTEGER", el.offset);
  let i = 0;
  while (i < el.content.length - 1 && el.content[i] === 0) i++;
  return el.content.subarray(i);
}

/** Decodes one DER CRL (RFC 5280 5.1). nextUpdate is required (Intel CRLs always carry it). */
export function parseCrl(der: Uint8Array, context = "Crl"): Crl {
  const [tbsEl, algEl, sigEl] = sequence(decodeDer(der, TAG.SEQUENCE, context), context, 3) as [
    DerElement,
    DerElement,
    DerElement,
  ];
  checkSigAlg(algEl, `${context}.signatureAlgorithm`);
  const t = `${context}.tbsCertList`;
  const f = sequence(tbsEl, t, 3, 7);
  let i = 0;
  if (f[0]?.tag === TAG.INTEGER) {
    if (readSmallInt(f[0], `${t}.version`) !== 1)
      bad(`${t}.version`, "only v2 CRLs are supported", f[0].offset);
    i++;
  }
  checkSigAlg(f[i++] as DerElement, `${t}.signature`);
  const issuer = f[i++] as DerElement;
  const thisEl = f[i++];
  const nextEl = f[i++];
  if (!isTime(thisEl) || !isTime(nextEl)) bad(t, "thisUpdate and nextUpdate are required");
  const revoked: Uint8Array[] = [];
  const rest = f.slice(i);
  if (rest[0]?.tag === TAG.SEQUENCE) {
    for (const entry of children(rest[0], `${t}.revokedCertificates`)) {
      // Only the serial is used; the entry must still start with INTEGER, Time.
      const f = `${t}.revokedCertificates`;
      const serial = readTlv(entry.buf, entry.contentStart, f, entry.base, entry.end);
      const date = readTlv(entry.buf, serial.end, f, entry.base, entry.end);
      // Optional crlEntryExtensions: one SEQUENCE that ends the entry.
      const ext = date.end < entry.end ? readTlv(entry.buf, date.end, f, entry.base, entry.end) : undefined;
      if (ext && (ext.tag !== TAG.SEQUENCE || ext.end !== entry.end))
        bad(f, "unexpected data in an entry", ext.offset);
      if (entry.tag !== TAG.SEQUENCE) bad(f, "expected a SEQUENCE", entry.offset);
      // The revocation date is not used (a listed serial is revoked); only its type is checked.
      if (date.tag !== TAG.UTC_TIME && date.tag !== TAG.GENERALIZED_TIME) {
        bad(`${t}.revokedCertificates.revocationDate`, "expected a time", date.offset);
      }
      revoked.push(crlSerialMagnitude(serial, `${f}.userCertificate`));
    }
    rest.shift();
  }
  if (rest.length > 1 || (rest[0] && rest[0].tag !== 0xa0)) bad(t, "unexpected trailing fields");
  return {
    der,
    tbs: tbsEl.raw,
    issuerRaw: issuer.raw,
    issuerCn: commonName(issuer, `${t}.issuer`),
    thisUpdate: readTime(thisEl, `${t}.thisUpdate`),
    nextUpdate: readTime(nextEl, `${t}.nextUpdate`),
    revoked,
    signature: ecdsaDerToRaw(readBitString(sigEl, `${context}.signatureValue`), `${context}.signatureValue`),
  };
}

/** Whether `cert`'s serial number is listed in `crl` (byte comparison of the magnitudes). */
export function isRevoked(crl: Crl, cert: Certificate): boolean {
  const s = cert.serialBytes;
  return crl.revoked.some((r) => equalBytes(r, s));
}
