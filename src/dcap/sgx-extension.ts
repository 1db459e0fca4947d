/**
 * The Intel SGX PCK certificate extension (OID 1.2.840.113741.1.13.1, tdx-reference.md section
 * 14.3): a SEQUENCE of { OID, value } items, parsed by OID (never by position), duplicates
 * rejected, sizes checked. Its FMSPC selects the TCB info and its TCB components select the level.
 */
import { toHex } from "../bytes.js";
import {
  type DerElement,
  decodeDer,
  readBoolean,
  readOctets,
  readOid,
  readSmallInt,
  sequence,
  TAG,
} from "../crypto/der.js";
import { ParseError, VerifyError } from "../errors.js";
import { type Certificate, OID } from "./x509.js";

/** Platform configuration flags (sub-OID .7, Platform-CA-issued certificates only). */
export interface PckConfiguration {
  dynamicPlatform?: boolean;
  cachedKeys?: boolean;
  smtEnabled?: boolean;
}

/** Decoded SGX extension values of a PCK leaf. */
export interface PckExtensions {
  ppid: Uint8Array; // 16
  /** SGX TCB component SVNs 01..16. */
  tcbComponents: number[];
  pceSvn: number;
  cpuSvn: Uint8Array; // 16
  pceId: Uint8Array; // 2
  fmspc: Uint8Array; // 6
  /** 0 Standard, 1 Scalable, 2 Scalable with integrity. */
  sgxType: number;
  platformInstanceId?: Uint8Array; // 16
  configuration?: PckConfiguration;
}

const BASE = OID.sgxExtensions;
const CTX = "PckCertificate.sgxExtensions";

function items(el: DerElement, context: string): Map<string, DerElement> {
  const out = new Map<string, DerElement>();
  for (const it of sequence(el, context, 0, 64)) {
    const [oidEl, value] = sequence(it, context, 2) as [DerElement, DerElement];
    const oid = readOid(oidEl, context);
    if (out.has(oid))
      throw new ParseError("ERR_BAD_DER", `${context}: duplicate item ${oid}`, { field: context });
    out.set(oid, value);
  }
  return out;
}

function need(m: Map<string, DerElement>, oid: string, name: string): DerElement {
  const v = m.get(oid);
  if (!v)
    throw new VerifyError("ERR_SGX_EXTENSION", `${CTX}.${name}: missing item ${oid}`, {
      field: `${CTX}.${name}`,
    });
  return v;
}

function octets(m: Map<string, DerElement>, oid: string, name: string, size: number): Uint8Array {
  const v = readOctets(need(m, oid, name), `${CTX}.${name}`);
  if (v.length !== size) {
    throw new VerifyError("ERR_SGX_EXTENSION", `${CTX}.${name}: expected ${size} bytes, found ${v.length}`, {
      field: `${CTX}.${name}`,
    });
  }
  return v.slice();
}

function ranged(el: DerElement, name: string, max: number, tag: number = TAG.INTEGER): number {
  const v = readSmallInt(el, `${CTX}.${name}`, tag);
  if (v > max)
    throw new VerifyError("ERR_SGX_EXTENSION", `${CTX}.${name}: ${v} exceeds ${max}`, {
      field: `${CTX}.${name}`,
    });
  return v;
}

function configuration(el: DerElement): PckConfiguration {
  const m = items(el, `${CTX}.configuration`);
  const out: PckConfiguration = {};
  const names = ["dynamicPlatform", "cachedKeys", "smtEnabled"] as const;
  names.forEach((n, i) => {
    const v = m.get(`${BASE}.7.${i + 1}`);
    if (v) out[n] = readBoolean(v, `${CTX}.configuration.${n}`);
  });
  return out;
}

/** Parses the SGX extension of a PCK leaf certificate; missing extension → ERR_SGX_EXTENSION. */
export function parsePckExtensions(cert: Certificate): PckExtensions {
  const ext = cert.extensions.get(BASE);
  if (!ext)
    throw new VerifyError("ERR_SGX_EXTENSION", `${CTX}: the PCK certificate has no SGX extension`, {
      field: CTX,
    });
  const top = items(decodeDer(ext.value, TAG.SEQUENCE, CTX), CTX);
  const tcb = items(need(top, `${BASE}.2`, "tcb"), `${CTX}.tcb`);
  const tcbComponents: number[] = [];
  for (let i = 1; i <= 16; i++)
    tcbComponents.push(ranged(need(tcb, `${BASE}.2.${i}`, `tcb.comp${i}`), `tcb.comp${i}`, 255));
  const sgxTypeEl = need(top, `${BASE}.5`, "sgxType");
  const out: PckExtensions = {
    ppid: octets(top, `${BASE}.1`, "ppid", 16),
    tcbComponents,
    pceSvn: ranged(need(tcb, `${BASE}.2.17`, "tcb.pcesvn"), "tcb.pcesvn", 0xffff),
    cpuSvn: octets(tcb, `${BASE}.2.18`, "tcb.cpusvn", 16),
    pceId: octets(top, `${BASE}.3`, "pceId", 2),
    fmspc: octets(top, `${BASE}.4`, "fmspc", 6),
    sgxType: ranged(sgxTypeEl, "sgxType", 2, TAG.ENUMERATED),
  };
  if (top.has(`${BASE}.6`)) out.platformInstanceId = octets(top, `${BASE}.6`, "platformInstanceId", 16);
  const conf = top.get(`${BASE}.7`);
  if (conf) out.configuration = configuration(conf);
  return out;
}

/** Hex view of the identifying fields, for results and messages. */
export function pckSummary(p: PckExtensions): { fmspc: string; pceId: string } {
  return { fmspc: toHex(p.fmspc), pceId: toHex(p.pceId) };
}
