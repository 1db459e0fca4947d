/**
 * Human-readable views of decoded quotes and TDREPORTs (the non-JSON output of `quote show` and
 * `report show`). Field labels are the ABI names of tdx-reference.md §7 and §13 (MRTD, RTMR0,
 * TDATTRIBUTES, ...); u64 flag words print as their memory-order hex plus decoded flag names.
 */
import { toHex } from "../bytes.js";
import { CERT_DATA_TYPE_NAMES, qeVendorName } from "./constants.js";
import { attributeNames, u64MemoryHex, xfamNames } from "./flags.js";
import { teeTypeName } from "./json.js";
import { trailingNulCount } from "./pem.js";
import { tdReportReservedFindings } from "./td-report.js";
import type { CertificationData, Quote, SgxReportBody, TdQuoteBody, TdReport } from "./types.js";

/** Optional one-line description of a DER certificate (e.g. its subject CN); the CLI supplies one. */
export type CertDescriber = (der: Uint8Array) => string;

const W = 22;

function line(indent: number, label: string, value: string | number): string {
  return `${" ".repeat(indent)}${label.padEnd(W - indent + 2)} ${value}`;
}

function flags(v: bigint, names: string[]): string {
  return names.length > 0 ? `${u64MemoryHex(v)} (${names.join(" ")})` : u64MemoryHex(v);
}

function tdBodyLines(b: TdQuoteBody, ind: number): string[] {
  const out = [
    line(ind, "TEE_TCB_SVN", toHex(b.teeTcbSvn)),
    line(ind, "MRSEAM", toHex(b.mrSeam)),
    line(ind, "MRSIGNERSEAM", toHex(b.mrSignerSeam)),
    line(ind, "SEAMATTRIBUTES", u64MemoryHex(b.seamAttributes)),
    line(ind, "TDATTRIBUTES", flags(b.tdAttributes, attributeNames(b.tdAttributes))),
    line(ind, "XFAM", flags(b.xfam, xfamNames(b.xfam))),
    line(ind, "MRTD", toHex(b.mrTd)),
    line(ind, "MRCONFIGID", toHex(b.mrConfigId)),
    line(ind, "MROWNER", toHex(b.mrOwner)),
    line(ind, "MROWNERCONFIG", toHex(b.mrOwnerConfig)),
    ...b.rtmr.map((m, i) => line(ind, `RTMR${i}`, toHex(m))),
    line(ind, "REPORTDATA", toHex(b.reportData)),
  ];
  if (b.teeTcbSvn2) out.push(line(ind, "TEE_TCB_SVN2", toHex(b.teeTcbSvn2)));
  if (b.mrServiceTd) out.push(line(ind, "MRSERVICETD", toHex(b.mrServiceTd)));
  return out;
}

function sgxBodyLines(b: SgxReportBody, ind: number): string[] {
  return [
    line(ind, "CPUSVN", toHex(b.cpuSvn)),
    line(ind, "MISCSELECT", `0x${b.miscSelect.toString(16).padStart(8, "0")}`),
    line(ind, "ISVEXTPRODID", toHex(b.isvExtProdId)),
    line(ind, "ATTRIBUTES", toHex(b.attributes)),
    line(ind, "MRENCLAVE", toHex(b.mrEnclave)),
    line(ind, "MRSIGNER", toHex(b.mrSigner)),
    line(ind, "CONFIGID", toHex(b.configId)),
    line(ind, "ISVPRODID", b.isvProdId),
    line(ind, "ISVSVN", b.isvSvn),
    line(ind, "CONFIGSVN", b.configSvn),
    line(ind, "ISVFAMILYID", toHex(b.isvFamilyId)),
    line(ind, "REPORTDATA", toHex(b.reportData)),
  ];
}

function certLines(cd: CertificationData, ind: number, describe: CertDescriber | undefined): string[] {
  const title = `${" ".repeat(ind)}CERTIFICATION_DATA type ${cd.type} (${CERT_DATA_TYPE_NAMES[cd.type] ?? "?"})`;
  if (cd.type === 6) {
    return [
      title,
      `${" ".repeat(ind + 2)}QE_REPORT`,
      ...sgxBodyLines(cd.qeReport, ind + 4),
      line(ind + 2, "QE_REPORT_SIGNATURE", toHex(cd.qeReportSignature)),
      line(ind + 2, "QE_AUTH_DATA", `${toHex(cd.qeAuthData)} (${cd.qeAuthData.length} bytes)`),
      ...certLines(cd.inner, ind + 2, describe),
    ];
  }
  if (cd.type === 5) {
    const nuls = trailingNulCount(cd.pem);
    return [
      `${title}: ${cd.certificates.length} certificates, ${cd.pem.length} bytes of PEM${nuls ? ` (${nuls} NUL padding)` : ""}`,
      ...cd.certificates.map((der, i) =>
        line(ind + 2, `[${i}]`, `${der.length} bytes DER${describe ? `, ${describe(der)}` : ""}`),
      ),
    ];
  }
  return [`${title}: ${cd.data.length} bytes (not decoded)`];
}

const BODY_TITLE = { sgx: "SGX enclave report", td10: "TD 1.0", td15: "TD 1.5" } as const;

/** The `quote show` text. */
export function quoteToText(q: Quote, describe?: CertDescriber): string {
  const h = q.header;
  const end = q.signedBytes.length + 4 + q.signatureDataLength;
  const trail = q.trailing.length
    ? `, then ${q.trailing.length} trailing bytes (${q.trailing.allZero ? "all zero" : "NOT all zero"}; not signed)`
    : "";
  const vendor = ` (${qeVendorName(h.qeVendorId)})`;
  const out = [
    `DCAP quote v${h.version} (${teeTypeName(h.teeType).toUpperCase()}, ${BODY_TITLE[q.body.kind]} body): ${end} bytes${trail}`,
    "Header",
    line(2, "VERSION", h.version),
    line(
      2,
      "ATT_KEY_TYPE",
      `${h.attestationKeyType}${h.attestationKeyType === 2 ? " (ECDSA-256-with-P-256)" : ""}`,
    ),
    line(
      2,
      "TEE_TYPE",
      `0x${h.teeType.toString(16).padStart(8, "0")} (${teeTypeName(h.teeType).toUpperCase()})`,
    ),
    line(2, "QE_SVN", h.qeSvn),
    line(2, "PCE_SVN", h.pceSvn),
    line(2, "QE_VENDOR_ID", `${toHex(h.qeVendorId)}${vendor}`),
    line(2, "USER_DATA", toHex(h.userData)),
  ];
  if (q.bodyType !== undefined)
    out.push(line(2, "BODY_TYPE", `${q.bodyType} (${q.signedBytes.length - 54} bytes)`));
  out.push(`Body (${BODY_TITLE[q.body.kind]}, ${q.signedBytes.length - (h.version === 5 ? 54 : 48)} bytes)`);
  out.push(...(q.body.kind === "sgx" ? sgxBodyLines(q.body, 2) : tdBodyLines(q.body, 2)));
  out.push(`Signature data (${q.signatureDataLength} bytes)`);
  out.push(line(2, "SIGNATURE", toHex(q.signatureData.signature)));
  out.push(line(2, "ATTESTATION_KEY", toHex(q.signatureData.attestationKey)));
  if (h.version === 3)
    out.push("  (v3 layout: the QE report data below follows the key directly, without a type-6 header)");
  out.push(...certLines(q.signatureData.certificationData, 2, describe));
  return `${out.join("\n")}\n`;
}

/** The `report show` text. */
export function tdReportToText(r: TdReport): string {
  const m = r.reportMac;
  const t = r.teeTcbInfo;
  const i = r.tdInfo;
  const out = [
    "TDREPORT_STRUCT (1024 bytes)",
    "REPORTMACSTRUCT",
    line(
      2,
      "REPORTTYPE",
      `type 0x${m.reportType.type.toString(16)} subtype ${m.reportType.subtype} version ${m.reportType.version}`,
    ),
    line(2, "CPUSVN", toHex(m.cpuSvn)),
    line(2, "TEE_TCB_INFO_HASH", toHex(m.teeTcbInfoHash)),
    line(2, "TEE_INFO_HASH", toHex(m.teeInfoHash)),
    line(2, "REPORTDATA", toHex(m.reportData)),
    line(2, "MAC", toHex(m.mac)),
    "TEE_TCB_INFO",
    line(2, "VALID", u64MemoryHex(t.valid)),
    line(2, "TEE_TCB_SVN", toHex(t.teeTcbSvn)),
    line(2, "MRSEAM", toHex(t.mrSeam)),
    line(2, "MRSIGNERSEAM", toHex(t.mrSignerSeam)),
    line(2, "ATTRIBUTES", u64MemoryHex(t.attributes)),
    line(2, "TEE_TCB_SVN2", toHex(t.teeTcbSvn2)),
    "TDINFO",
    line(2, "ATTRIBUTES", flags(i.attributes, attributeNames(i.attributes))),
    line(2, "XFAM", flags(i.xfam, xfamNames(i.xfam))),
    line(2, "MRTD", toHex(i.mrTd)),
    line(2, "MRCONFIGID", toHex(i.mrConfigId)),
    line(2, "MROWNER", toHex(i.mrOwner)),
    line(2, "MROWNERCONFIG", toHex(i.mrOwnerConfig)),
    ...i.rtmr.map((x, k) => line(2, `RTMR${k}`, toHex(x))),
    line(2, "SERVTD_HASH", toHex(i.servTdHash)),
  ];
  for (const f of tdReportReservedFindings(r)) {
    out.push(`warning: reserved area ${f.field} (${f.length} bytes at offset ${f.offset}) is not zero`);
  }
  return `${out.join("\n")}\n`;
}
