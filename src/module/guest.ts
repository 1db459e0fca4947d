/**
 * Guest-side TDCALLs of the simulated module (tdx-reference.md §6.3, §7.1–§7.5): TDG.VP.INFO,
 * TDG.MR.RTMR.EXTEND and TDG.MR.REPORT, plus the same-platform MAC check.
 *
 * The TDREPORT MAC is SIMULATED: real CPUs compute it in SEAMOPS(SEAMREPORT) with a key no
 * software sees, over an algorithm the module source does not expose (§7.3.1, UNCONFIRMED).
 * Here it is HMAC-SHA-256(platform.reportMacKey, REPORTMACSTRUCT bytes 0..223). Remote
 * verifiers never check it; the quote signature covers the report instead.
 */
import { encodeReportMacStruct, encodeTdInfo, encodeTdReport, encodeTeeTcbInfo } from "../abi/td-report.js";
import type { TdReport } from "../abi/types.js";
import { equalBytes } from "../bytes.js";
import type { CryptoBackend } from "../crypto/index.js";
import { isPrivateGpa, type Reg, regNum } from "./build-state.js";
import type { Platform } from "./platform.js";
import { OPERAND, TDX_OPERAND_INVALID, TDX_SUCCESS, withOperand } from "./status.js";
import type { VcpuState } from "./td-state.js";

export interface VpInfo {
  readonly status: bigint;
  /** Raw output registers (§6.3). */
  readonly rcx: bigint;
  readonly rdx: bigint;
  readonly r8: bigint;
  readonly r9: bigint;
  readonly r10: bigint;
  readonly r11: bigint;
  /** Decoded view of the registers. */
  readonly gpaw: number;
  readonly attributes: bigint;
  readonly numVcpus: number;
  readonly maxVcpus: number;
  readonly vcpuIndex: number;
}

export function tdgVpInfo(vp: VcpuState, platform: Platform): VpInfo {
  const td = vp.td;
  const vcpuIndex = vp.vcpuIndex ?? 0;
  return {
    status: TDX_SUCCESS,
    rcx: BigInt(td.gpaw),
    rdx: td.attributes,
    r8: BigInt(td.numVcpus) | (BigInt(td.maxVcpus) << 32n),
    r9: BigInt(vcpuIndex),
    r10: platform.version === "1.5" ? 1n : 0n,
    r11: 0n,
    gpaw: td.gpaw,
    attributes: td.attributes,
    numVcpus: td.numVcpus,
    maxVcpus: td.maxVcpus,
    vcpuIndex,
  };
}

const RTMR_EXTEND_ALIGN = 64;
const REPORT_ALIGN = 1024;
const REPORT_DATA_ALIGN = 64;

/** TDG.MR.RTMR.EXTEND: GPA checked before the index (§7.1); RTMR = SHA-384(RTMR ‖ data). */
export function tdgMrRtmrExtend(
  vp: VcpuState,
  index: Reg,
  data: Uint8Array,
  gpa: Reg | undefined,
  crypto: CryptoBackend,
): { status: bigint } {
  if (!(data instanceof Uint8Array) || data.length !== 48)
    throw new RangeError(`TDG.MR.RTMR.EXTEND: data must be 48 bytes, got ${data?.length}`);
  if (gpa !== undefined) {
    const g = regNum(gpa);
    if (g === undefined || g % RTMR_EXTEND_ALIGN !== 0 || !isPrivateGpa(g, vp.td.gpaw))
      return { status: withOperand(TDX_OPERAND_INVALID, OPERAND.RCX) };
  }
  const i = regNum(index);
  if (i === undefined || i > 3) return { status: withOperand(TDX_OPERAND_INVALID, OPERAND.RDX) };
  const rtmr = vp.td.rtmr;
  const buf = new Uint8Array(96);
  buf.set(rtmr[i as 0 | 1 | 2 | 3]);
  buf.set(data, 48);
  rtmr[i as 0 | 1 | 2 | 3] = crypto.hash("sha384", buf);
  return { status: TDX_SUCCESS };
}

/** TEE_TCB_INFO as the CPU fills it for this platform (§7.4). */
function teeTcbInfo(p: Platform): TdReport["teeTcbInfo"] {
  const v15 = p.version === "1.5";
  return {
    valid: v15 && p.seamdb ? 0x301ffn : 0x1ffn,
    teeTcbSvn: p.teeTcbSvn.slice(),
    mrSeam: p.mrSeam.slice(),
    mrSignerSeam: p.mrSignerSeam.slice(),
    attributes: p.seamAttributes,
    teeTcbSvn2: v15 ? p.teeTcbSvn2.slice() : new Uint8Array(16),
    reserved: new Uint8Array(112),
  };
}

/** TDG.MR.REPORT: check order RCX align, RDX align, sub-type (§7.2), then build the report. */
export function tdgMrReport(
  vp: VcpuState,
  platform: Platform,
  reportData: Uint8Array,
  subtype: Reg,
  gpas: { report?: Reg; reportData?: Reg },
  crypto: CryptoBackend,
): { status: bigint; report?: Uint8Array } {
  if (!(reportData instanceof Uint8Array) || reportData.length !== 64)
    throw new RangeError(`TDG.MR.REPORT: REPORTDATA must be 64 bytes, got ${reportData?.length}`);
  const bad = (gpa: Reg | undefined, align: number): boolean => {
    if (gpa === undefined) return false;
    const g = regNum(gpa);
    return g === undefined || g % align !== 0;
  };
  if (bad(gpas.report, REPORT_ALIGN)) return { status: withOperand(TDX_OPERAND_INVALID, OPERAND.RCX) };
  if (bad(gpas.reportData, REPORT_DATA_ALIGN))
    return { status: withOperand(TDX_OPERAND_INVALID, OPERAND.RDX) };
  if (regNum(subtype) !== 0) return { status: withOperand(TDX_OPERAND_INVALID, OPERAND.R8) };
  const td = vp.td;
  const tdInfo: TdReport["tdInfo"] = {
    attributes: td.attributes,
    xfam: td.xfam,
    mrTd: (td.mrTd ?? new Uint8Array(48)).slice(),
    mrConfigId: td.mrConfigId.slice(),
    mrOwner: td.mrOwner.slice(),
    mrOwnerConfig: td.mrOwnerConfig.slice(),
    rtmr: [td.rtmr[0].slice(), td.rtmr[1].slice(), td.rtmr[2].slice(), td.rtmr[3].slice()],
    servTdHash: platform.version === "1.5" ? td.servTdHash.slice() : new Uint8Array(48),
    reserved: new Uint8Array(64),
  };
  const tcb = teeTcbInfo(platform);
  const reportMac: TdReport["reportMac"] = {
    // VERSION 0: no service TD is ever bound in this model (§7.2 step 3).
    reportType: { type: 0x81, subtype: 0, version: 0, reserved: 0 },
    reserved1: new Uint8Array(12),
    cpuSvn: platform.cpuSvn.slice(),
    teeTcbInfoHash: crypto.hash("sha384", encodeTeeTcbInfo(tcb)),
    teeInfoHash: crypto.hash("sha384", encodeTdInfo(tdInfo)),
    reportData: reportData.slice(),
    reserved2: new Uint8Array(32),
    mac: new Uint8Array(32),
  };
  reportMac.mac = reportMacOf(encodeReportMacStruct(reportMac), platform.reportMacKey, crypto);
  return { status: TDX_SUCCESS, report: encodeTdReport({ reportMac, teeTcbInfo: tcb, tdInfo }) };
}

const MAC_OFFSET = 224;

/** SIMULATED MAC: HMAC-SHA-256 over REPORTMACSTRUCT[0..224). */
function reportMacOf(macStruct: Uint8Array, key: Uint8Array, crypto: CryptoBackend): Uint8Array {
  return hmacSha256(key, macStruct.subarray(0, MAC_OFFSET), crypto);
}

/** RFC 2104 HMAC over the backend's SHA-256 (block size 64). */
export function hmacSha256(key: Uint8Array, data: Uint8Array, crypto: CryptoBackend): Uint8Array {
  const k = new Uint8Array(64);
  k.set(key.length > 64 ? crypto.hash("sha256", key) : key);
  const pad = (x: number): Uint8Array => k.map((b) => b ^ x);
  const inner = crypto.createHash("sha256").update(pad(0x36)).update(data).digest();
  return crypto.createHash("sha256").update(pad(0x5c)).update(inner).digest();
}

/** Same-platform check of a TDREPORT's simulated MAC (TDG.MR.VERIFYREPORT-like, §7.6). */
export function verifyReportMac(report: Uint8Array, platform: Platform, crypto: CryptoBackend): boolean {
  if (!(report instanceof Uint8Array) || report.length !== 1024) return false;
  // The MAC covers the two hashes, so both must also match the structures they summarise.
  const tcbOk = equalBytes(crypto.hash("sha384", report.subarray(256, 495)), report.subarray(32, 80));
  const infoOk = equalBytes(crypto.hash("sha384", report.subarray(512, 1024)), report.subarray(80, 128));
  const expect = reportMacOf(report.subarray(0, 256), platform.reportMacKey, crypto);
  return tcbOk && infoOk && equalBytes(expect, report.subarray(MAC_OFFSET, 256));
}
