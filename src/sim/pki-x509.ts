/**
 * Certificate, CRL and SGX-extension builders for the test PKI, shaped like Intel's PCS PKI
 * (tdx-reference.md sections 14.1-14.3): ECDSA P-256 keys, ecdsa-with-SHA256 signatures, the
 * same subject CNs (with O = "tdx-attest TEST PKI" so they cannot be mistaken for Intel's).
 */
import { fromHex } from "../bytes.js";
import { TAG } from "../crypto/der.js";
import {
  bitString,
  bool,
  ecdsaRawToDer,
  explicit,
  octets,
  oid,
  printableString,
  seq,
  set,
  time,
  uint,
  uintBytes,
  utf8String,
} from "../crypto/der-encode.js";
import type { P256Signer } from "../crypto/p256-sign.js";
import { OID } from "../dcap/x509.js";

export const TEST_PKI_ORG = "tdx-attest TEST PKI";

/** X.501 Name with CN, O, C. */
export function name(cn: string): Uint8Array {
  const atv = (o: string, v: Uint8Array) => set(seq(oid(o), v));
  return seq(
    atv(OID.commonName, utf8String(cn)),
    atv("2.5.4.10", utf8String(TEST_PKI_ORG)),
    atv("2.5.4.6", printableString("US")),
  );
}

const sigAlg = () => seq(oid(OID.ecdsaWithSha256));

function spki(point: Uint8Array): Uint8Array {
  return seq(seq(oid(OID.ecPublicKey), oid(OID.prime256v1)), bitString(point));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

/** KeyUsage bits: 0 digitalSignature, 1 nonRepudiation, 5 keyCertSign, 6 cRLSign. */
function keyUsage(bits: number[]): Uint8Array {
  let b = 0;
  for (const i of bits) b |= 0x80 >> i;
  let unused = 0;
  while (unused < 7 && (b & (1 << unused)) === 0) unused++;
  return Uint8Array.of(TAG.BIT_STRING, 2, unused, b);
}

export interface CertSpec {
  serial: string; // hex
  issuer: Uint8Array; // Name
  subject: Uint8Array; // Name
  notBefore: number;
  notAfter: number;
  publicKey: Uint8Array; // 65
  ca: boolean;
  pathLen?: number;
  /** Extra (non-critical) extensions: [oid, DER value]. */
  extra?: [string, Uint8Array][];
}

/** Builds and signs an X.509 v3 certificate. */
export async function buildCertificate(spec: CertSpec, issuerKey: P256Signer): Promise<Uint8Array> {
  const bc = spec.ca ? seq(bool(true), ...(spec.pathLen === undefined ? [] : [uint(spec.pathLen)])) : seq();
  const exts = [
    extension(OID.basicConstraints, true, bc),
    extension(OID.keyUsage, true, keyUsage(spec.ca ? [5, 6] : [0, 1])),
    ...(spec.extra ?? []).map(([o, v]) => extension(o, false, v)),
  ];
  const tbs = seq(
    explicit(0, uint(2)),
    uintBytes(fromHex(spec.serial, "serial")),
    sigAlg(),
    spec.issuer,
    seq(time(spec.notBefore), time(spec.notAfter)),
    spec.subject,
    spki(spec.publicKey),
    explicit(3, seq(...exts)),
  );
  const sig = await issuerKey.sign(tbs);
  return seq(tbs, sigAlg(), bitString(ecdsaRawToDer(sig)));
}

export interface CrlSpec {
  issuer: Uint8Array;
  thisUpdate: number;
  nextUpdate: number;
  revoked: string[]; // hex serials
}

/** Builds and signs a v2 CRL. */
export async function buildCrl(spec: CrlSpec, issuerKey: P256Signer): Promise<Uint8Array> {
  const entries = spec.revoked.map((s) => seq(uintBytes(fromHex(s, "serial")), time(spec.thisUpdate)));
  const tbs = seq(
    uint(1),
    sigAlg(),
    spec.issuer,
    time(spec.thisUpdate),
    time(spec.nextUpdate),
    ...(entries.length > 0 ? [seq(...entries)] : []),
  );
  const sig = await issuerKey.sign(tbs);
  return seq(tbs, sigAlg(), bitString(ecdsaRawToDer(sig)));
}

export interface SgxExtensionSpec {
  ppid: Uint8Array; // 16
  tcbComponents: number[]; // 16
  pceSvn: number;
  cpuSvn: Uint8Array; // 16
  pceId: Uint8Array; // 2
  fmspc: Uint8Array; // 6
  sgxType: number;
  platformInstanceId?: Uint8Array;
}

/** The SGX extension value (section 14.3), items in Intel's order. */
export function sgxExtension(s: SgxExtensionSpec): Uint8Array {
  const base = OID.sgxExtensions;
  const item = (sub: string, v: Uint8Array) => seq(oid(`${base}.${sub}`), v);
  const tcb = [
    ...s.tcbComponents.map((svn, i) => item(`2.${i + 1}`, uint(svn))),
    item("2.17", uint(s.pceSvn)),
    item("2.18", octets(s.cpuSvn)),
  ];
  const items = [
    item("1", octets(s.ppid)),
    item("2", seq(...tcb)),
    item("3", octets(s.pceId)),
    item("4", octets(s.fmspc)),
    item("5", uint(s.sgxType, TAG.ENUMERATED)),
  ];
  if (s.platformInstanceId) items.push(item("6", octets(s.platformInstanceId)));
  return seq(...items);
}
