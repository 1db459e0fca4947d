/**
 * JSON views of decoded structures (the `--json` output of `quote show` / `report show`):
 * lowercase camelCase keys, byte fields as lowercase hex in memory order, u64 flag words as the
 * 16-hex-digit little-endian memory image (as quotes print them, e.g. tdAttributes
 * "0000001000000000") next to their decoded flag names. Plain data, safe for JSON.stringify.
 */
import { toHex } from "../bytes.js";
import { findPckChain } from "./cert-data.js";
import { CERT_DATA_TYPE_NAMES, qeVendorName, TEE_TYPE } from "./constants.js";
import { attributeNames, configFlagNames, u64MemoryHex, xfamNames } from "./flags.js";
import { trailingNulCount } from "./pem.js";
import { tdParamsReservedFindings } from "./td-params.js";
import { tdReportReservedFindings } from "./td-report.js";
import type {
  CertificationData,
  Quote,
  QuoteHeader,
  SgxReportBody,
  TdInfo,
  TdParams,
  TdQuoteBody,
  TdReport,
  TeeTcbInfo,
} from "./types.js";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export function teeTypeName(t: number): string {
  return t === TEE_TYPE.TDX ? "tdx" : t === TEE_TYPE.SGX ? "sgx" : `0x${t.toString(16)}`;
}

export function quoteHeaderToJson(h: QuoteHeader): JsonObject {
  return {
    version: h.version,
    attestationKeyType: h.attestationKeyType,
    teeType: h.teeType,
    qeSvn: h.qeSvn,
    pceSvn: h.pceSvn,
    qeVendorId: toHex(h.qeVendorId),
    qeVendor: qeVendorName(h.qeVendorId),
    userData: toHex(h.userData),
  };
}

export function tdQuoteBodyToJson(b: TdQuoteBody): JsonObject {
  const o: JsonObject = {
    kind: b.kind,
    teeTcbSvn: toHex(b.teeTcbSvn),
    mrSeam: toHex(b.mrSeam),
    mrSignerSeam: toHex(b.mrSignerSeam),
    seamAttributes: u64MemoryHex(b.seamAttributes),
    tdAttributes: u64MemoryHex(b.tdAttributes),
    tdAttributeNames: attributeNames(b.tdAttributes),
    xfam: u64MemoryHex(b.xfam),
    xfamNames: xfamNames(b.xfam),
    mrTd: toHex(b.mrTd),
    mrConfigId: toHex(b.mrConfigId),
    mrOwner: toHex(b.mrOwner),
    mrOwnerConfig: toHex(b.mrOwnerConfig),
    rtmr: b.rtmr.map(toHex),
    reportData: toHex(b.reportData),
  };
  if (b.teeTcbSvn2) o["teeTcbSvn2"] = toHex(b.teeTcbSvn2);
  if (b.mrServiceTd) o["mrServiceTd"] = toHex(b.mrServiceTd);
  return o;
}

export function sgxReportBodyToJson(b: SgxReportBody): JsonObject {
  return {
    kind: "sgx",
    cpuSvn: toHex(b.cpuSvn),
    miscSelect: b.miscSelect,
    isvExtProdId: toHex(b.isvExtProdId),
    attributes: toHex(b.attributes),
    mrEnclave: toHex(b.mrEnclave),
    mrSigner: toHex(b.mrSigner),
    configId: toHex(b.configId),
    isvProdId: b.isvProdId,
    isvSvn: b.isvSvn,
    configSvn: b.configSvn,
    isvFamilyId: toHex(b.isvFamilyId),
    reportData: toHex(b.reportData),
  };
}

export function certificationDataToJson(cd: CertificationData): JsonObject {
  const name = CERT_DATA_TYPE_NAMES[cd.type] ?? "UNKNOWN";
  if (cd.type === 6) {
    return {
      type: 6,
      name,
      qeReport: sgxReportBodyToJson(cd.qeReport),
      qeReportSignature: toHex(cd.qeReportSignature),
      qeAuthData: toHex(cd.qeAuthData),
      inner: certificationDataToJson(cd.inner),
    };
  }
  if (cd.type === 5) {
    return {
      type: 5,
      name,
      pemLength: cd.pem.length,
      pemTrailingNuls: trailingNulCount(cd.pem),
      certificates: cd.certificates.map(toHex),
    };
  }
  return { type: cd.type, name, size: cd.data.length, data: toHex(cd.data) };
}

/** The `quote show --json` object. */
export function quoteToJson(q: Quote): JsonObject {
  const o: JsonObject = {
    version: q.header.version,
    teeType: teeTypeName(q.header.teeType),
    header: quoteHeaderToJson(q.header),
  };
  if (q.bodyType !== undefined) o["bodyType"] = q.bodyType;
  o["body"] = q.body.kind === "sgx" ? sgxReportBodyToJson(q.body) : tdQuoteBodyToJson(q.body);
  o["signedLength"] = q.signedBytes.length;
  o["signatureDataLength"] = q.signatureDataLength;
  o["signature"] = toHex(q.signatureData.signature);
  o["attestationKey"] = toHex(q.signatureData.attestationKey);
  o["certificationData"] = certificationDataToJson(q.signatureData.certificationData);
  o["pckChainLength"] = findPckChain(q.signatureData.certificationData)?.certificates.length ?? 0;
  o["trailingBytes"] = { count: q.trailing.length, allZero: q.trailing.allZero };
  return o;
}

export function teeTcbInfoToJson(t: TeeTcbInfo): JsonObject {
  return {
    valid: u64MemoryHex(t.valid),
    teeTcbSvn: toHex(t.teeTcbSvn),
    mrSeam: toHex(t.mrSeam),
    mrSignerSeam: toHex(t.mrSignerSeam),
    attributes: u64MemoryHex(t.attributes),
    teeTcbSvn2: toHex(t.teeTcbSvn2),
  };
}

export function tdInfoToJson(i: TdInfo): JsonObject {
  return {
    attributes: u64MemoryHex(i.attributes),
    attributeNames: attributeNames(i.attributes),
    xfam: u64MemoryHex(i.xfam),
    xfamNames: xfamNames(i.xfam),
    mrTd: toHex(i.mrTd),
    mrConfigId: toHex(i.mrConfigId),
    mrOwner: toHex(i.mrOwner),
    mrOwnerConfig: toHex(i.mrOwnerConfig),
    rtmr: i.rtmr.map(toHex),
    servTdHash: toHex(i.servTdHash),
  };
}

/** The `report show --json` object. */
export function tdReportToJson(r: TdReport): JsonObject {
  const m = r.reportMac;
  return {
    reportMac: {
      reportType: { ...m.reportType },
      cpuSvn: toHex(m.cpuSvn),
      teeTcbInfoHash: toHex(m.teeTcbInfoHash),
      teeInfoHash: toHex(m.teeInfoHash),
      reportData: toHex(m.reportData),
      mac: toHex(m.mac),
    },
    teeTcbInfo: teeTcbInfoToJson(r.teeTcbInfo),
    tdInfo: tdInfoToJson(r.tdInfo),
    reservedNonZero: tdReportReservedFindings(r).map((f) => ({ ...f })),
  };
}

export function tdParamsToJson(p: TdParams): JsonObject {
  return {
    attributes: u64MemoryHex(p.attributes),
    attributeNames: attributeNames(p.attributes),
    xfam: u64MemoryHex(p.xfam),
    xfamNames: xfamNames(p.xfam),
    maxVcpus: p.maxVcpus,
    numL2Vms: p.numL2Vms,
    msrConfigCtls: p.msrConfigCtls,
    eptpControls: u64MemoryHex(p.eptpControls),
    configFlags: u64MemoryHex(p.configFlags),
    configFlagNames: configFlagNames(p.configFlags),
    tscFrequency: p.tscFrequency,
    mrConfigId: toHex(p.mrConfigId),
    mrOwner: toHex(p.mrOwner),
    mrOwnerConfig: toHex(p.mrOwnerConfig),
    ia32ArchCapabilitiesConfig: u64MemoryHex(p.ia32ArchCapabilitiesConfig),
    cpuidConfig: p.cpuidConfig.map((c) => ({ eax: c.eax, ebx: c.ebx, ecx: c.ecx, edx: c.edx })),
    reservedNonZero: tdParamsReservedFindings(p).map((f) => ({ ...f })),
  };
}
