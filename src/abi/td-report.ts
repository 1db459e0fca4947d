/**
 * TDREPORT_STRUCT (1024 bytes) and its parts: REPORTMACSTRUCT (256), TEE_TCB_INFO (239 + 17
 * reserved) and TDINFO (512). Layouts: tdx-reference.md §7.3-7.5. TDX 1.0 and 1.5 share the
 * layout; 1.5 fills TEE_TCB_SVN2 and SERVTD_HASH where 1.0 has zeros, so one decoder serves both.
 *
 * `encodeTdInfo` and `encodeTeeTcbInfo` exist separately because the (simulated) module hashes
 * exactly those byte ranges: TEE_INFO_HASH = SHA-384(TDINFO, 512 bytes) and
 * TEE_TCB_INFO_HASH = SHA-384(TEE_TCB_INFO, 239 bytes) (§7.3.1).
 */
import { ByteReader } from "../bytes.js";
import { ParseError } from "../errors.js";
import { expectSize, nonZero, type ReservedFinding, StructWriter } from "./codec.js";
import type { ReportMacStruct, TdInfo, TdReport, TeeTcbInfo } from "./types.js";

export const TD_REPORT_SIZE = 1024;
export const REPORT_MAC_STRUCT_SIZE = 256;
/** Meaningful TEE_TCB_INFO bytes (hashed into TEE_TCB_INFO_HASH). */
export const TEE_TCB_INFO_SIZE = 239;
/** Reserved TDREPORT bytes after TEE_TCB_INFO (offset 495). */
export const TEE_TCB_INFO_PAD = 17;
/** TEE_TCB_INFO reserved bytes inside the 239 (struct offset 144). */
export const TEE_TCB_INFO_RESERVED = 95;
export const TD_INFO_SIZE = 512;
/** REPORTTYPE.TYPE for TDX (§7.3.1). */
export const REPORT_TYPE_TDX = 0x81;

/** TDREPORT_STRUCT offsets (§7.3). */
export const TD_REPORT_LAYOUT = {
  reportMac: { offset: 0, size: REPORT_MAC_STRUCT_SIZE },
  teeTcbInfo: { offset: 256, size: TEE_TCB_INFO_SIZE },
  reserved: { offset: 495, size: TEE_TCB_INFO_PAD },
  tdInfo: { offset: 512, size: TD_INFO_SIZE },
} as const;

/** REPORTMACSTRUCT offsets (§7.3.1). */
export const REPORT_MAC_LAYOUT = {
  reportType: { offset: 0, size: 4 },
  reserved1: { offset: 4, size: 12 },
  cpuSvn: { offset: 16, size: 16 },
  teeTcbInfoHash: { offset: 32, size: 48 },
  teeInfoHash: { offset: 80, size: 48 },
  reportData: { offset: 128, size: 64 },
  reserved2: { offset: 192, size: 32 },
  mac: { offset: 224, size: 32 },
} as const;

/** TEE_TCB_INFO offsets inside the struct (§7.4). */
export const TEE_TCB_INFO_LAYOUT = {
  valid: { offset: 0, size: 8 },
  teeTcbSvn: { offset: 8, size: 16 },
  mrSeam: { offset: 24, size: 48 },
  mrSignerSeam: { offset: 72, size: 48 },
  attributes: { offset: 120, size: 8 },
  teeTcbSvn2: { offset: 128, size: 16 },
  reserved: { offset: 144, size: TEE_TCB_INFO_RESERVED },
} as const;

/** TDINFO offsets (§7.5). */
export const TD_INFO_LAYOUT = {
  attributes: { offset: 0, size: 8 },
  xfam: { offset: 8, size: 8 },
  mrTd: { offset: 16, size: 48 },
  mrConfigId: { offset: 64, size: 48 },
  mrOwner: { offset: 112, size: 48 },
  mrOwnerConfig: { offset: 160, size: 48 },
  rtmr: { offset: 208, size: 4 * 48 },
  servTdHash: { offset: 400, size: 48 },
  reserved: { offset: 448, size: 64 },
} as const;

function readReportMac(r: ByteReader): ReportMacStruct {
  const reportType = {
    type: r.u8("reportType.type"),
    subtype: r.u8("reportType.subtype"),
    version: r.u8("reportType.version"),
    reserved: r.u8("reportType.reserved"),
  };
  return {
    reportType,
    reserved1: r.take(12, "reserved1"),
    cpuSvn: r.take(16, "cpuSvn"),
    teeTcbInfoHash: r.take(48, "teeTcbInfoHash"),
    teeInfoHash: r.take(48, "teeInfoHash"),
    reportData: r.take(64, "reportData"),
    reserved2: r.take(32, "reserved2"),
    mac: r.take(32, "mac"),
  };
}

function readTeeTcbInfo(r: ByteReader): TeeTcbInfo {
  return {
    valid: r.u64("valid"),
    teeTcbSvn: r.take(16, "teeTcbSvn"),
    mrSeam: r.take(48, "mrSeam"),
    mrSignerSeam: r.take(48, "mrSignerSeam"),
    attributes: r.u64("attributes"),
    teeTcbSvn2: r.take(16, "teeTcbSvn2"),
    reserved: r.take(TEE_TCB_INFO_RESERVED + TEE_TCB_INFO_PAD, "reserved"),
  };
}

function readTdInfo(r: ByteReader): TdInfo {
  const attributes = r.u64("attributes");
  const xfam = r.u64("xfam");
  const mrTd = r.take(48, "mrTd");
  const mrConfigId = r.take(48, "mrConfigId");
  const mrOwner = r.take(48, "mrOwner");
  const mrOwnerConfig = r.take(48, "mrOwnerConfig");
  const rtmr: TdInfo["rtmr"] = [
    r.take(48, "rtmr0"),
    r.take(48, "rtmr1"),
    r.take(48, "rtmr2"),
    r.take(48, "rtmr3"),
  ];
  const servTdHash = r.take(48, "servTdHash");
  const reserved = r.take(64, "reserved");
  return { attributes, xfam, mrTd, mrConfigId, mrOwner, mrOwnerConfig, rtmr, servTdHash, reserved };
}

/** Decodes a 1024-byte TDREPORT_STRUCT (fields are copies). */
export function parseTdReport(bytes: Uint8Array): TdReport {
  expectSize(bytes, TD_REPORT_SIZE, "TdReport");
  const r = new ByteReader(bytes, "TdReport");
  const reportMac = readReportMac(r.sub(REPORT_MAC_STRUCT_SIZE, "reportMac"));
  const teeTcbInfo = readTeeTcbInfo(r.sub(TEE_TCB_INFO_SIZE + TEE_TCB_INFO_PAD, "teeTcbInfo"));
  const tdInfo = readTdInfo(r.sub(TD_INFO_SIZE, "tdInfo"));
  return { reportMac, teeTcbInfo, tdInfo };
}

/** Decodes a 512-byte TDINFO on its own. */
export function parseTdInfo(bytes: Uint8Array): TdInfo {
  expectSize(bytes, TD_INFO_SIZE, "TdInfo");
  return readTdInfo(new ByteReader(bytes, "TdInfo"));
}

export function encodeReportMacStruct(m: ReportMacStruct): Uint8Array {
  const w = new StructWriter(REPORT_MAC_STRUCT_SIZE, "ReportMacStruct");
  const t = m.reportType;
  w.u8(t.type, "reportType.type").u8(t.subtype, "reportType.subtype");
  w.u8(t.version, "reportType.version").u8(t.reserved, "reportType.reserved");
  w.fixed(m.reserved1, 12, "reserved1").fixed(m.cpuSvn, 16, "cpuSvn");
  w.fixed(m.teeTcbInfoHash, 48, "teeTcbInfoHash").fixed(m.teeInfoHash, 48, "teeInfoHash");
  w.fixed(m.reportData, 64, "reportData").fixed(m.reserved2, 32, "reserved2").fixed(m.mac, 32, "mac");
  return w.finish();
}

/**
 * The 239 hashed TEE_TCB_INFO bytes. `t.reserved` may hold 95 bytes (struct only) or 112
 * (struct + the 17 TDREPORT pad bytes, as decoded); only the first 95 are part of the struct.
 */
export function encodeTeeTcbInfo(t: TeeTcbInfo): Uint8Array {
  const res = t.reserved;
  const len = TEE_TCB_INFO_RESERVED + TEE_TCB_INFO_PAD;
  if (res.length !== TEE_TCB_INFO_RESERVED && res.length !== len) {
    throw new ParseError(
      "ERR_BAD_LENGTH",
      `TeeTcbInfo.reserved: must be 95 or 112 bytes, got ${res.length}`,
      {
        field: "TeeTcbInfo.reserved",
        offset: 144,
      },
    );
  }
  const w = new StructWriter(TEE_TCB_INFO_SIZE, "TeeTcbInfo");
  w.u64(t.valid, "valid").fixed(t.teeTcbSvn, 16, "teeTcbSvn").fixed(t.mrSeam, 48, "mrSeam");
  w.fixed(t.mrSignerSeam, 48, "mrSignerSeam")
    .u64(t.attributes, "attributes")
    .fixed(t.teeTcbSvn2, 16, "teeTcbSvn2");
  w.fixed(res.subarray(0, TEE_TCB_INFO_RESERVED), TEE_TCB_INFO_RESERVED, "reserved");
  return w.finish();
}

/** The 512 TDINFO bytes (the input of TEE_INFO_HASH). */
export function encodeTdInfo(info: TdInfo): Uint8Array {
  const w = new StructWriter(TD_INFO_SIZE, "TdInfo");
  w.u64(info.attributes, "attributes").u64(info.xfam, "xfam").fixed(info.mrTd, 48, "mrTd");
  w.fixed(info.mrConfigId, 48, "mrConfigId").fixed(info.mrOwner, 48, "mrOwner");
  w.fixed(info.mrOwnerConfig, 48, "mrOwnerConfig");
  if (!Array.isArray(info.rtmr) || info.rtmr.length !== 4) {
    throw new ParseError("ERR_BAD_LENGTH", "TdInfo.rtmr: must have 4 entries", { field: "TdInfo.rtmr" });
  }
  info.rtmr.forEach((m, i) => {
    w.fixed(m, 48, `rtmr${i}`);
  });
  w.fixed(info.servTdHash, 48, "servTdHash").fixed(info.reserved, 64, "reserved");
  return w.finish();
}

/** Encodes the full 1024-byte TDREPORT_STRUCT (the 17 pad bytes come from `teeTcbInfo.reserved`). */
export function encodeTdReport(r: TdReport): Uint8Array {
  const out = new Uint8Array(TD_REPORT_SIZE);
  out.set(encodeReportMacStruct(r.reportMac), 0);
  out.set(encodeTeeTcbInfo(r.teeTcbInfo), 256);
  const res = r.teeTcbInfo.reserved;
  if (res.length === TEE_TCB_INFO_RESERVED + TEE_TCB_INFO_PAD)
    out.set(res.subarray(TEE_TCB_INFO_RESERVED), 495);
  out.set(encodeTdInfo(r.tdInfo), 512);
  return out;
}

/** Non-zero reserved areas of a decoded TDREPORT (offsets are TDREPORT offsets). */
export function tdReportReservedFindings(r: TdReport): ReservedFinding[] {
  const m = r.reportMac;
  const areas: [string, number, Uint8Array][] = [
    ["TdReport.reportMac.reportType.reserved", 3, Uint8Array.of(m.reportType.reserved)],
    ["TdReport.reportMac.reserved1", 4, m.reserved1],
    ["TdReport.reportMac.reserved2", 192, m.reserved2],
    ["TdReport.teeTcbInfo.reserved", 400, r.teeTcbInfo.reserved],
    ["TdReport.tdInfo.reserved", 960, r.tdInfo.reserved],
  ];
  return areas
    .filter(([, , b]) => nonZero(b))
    .map(([field, offset, b]) => ({ field, offset, length: b.length }));
}
