/**
 * Quote header, TD report body (TD 1.0 / TD 1.5) and SGX enclave report body: decode (views into
 * the input, no copies) and encode (tdx-reference.md §13.1, §13.4). The SGX report body layout
 * also serves the QE report inside certification data type 6 (§13.5).
 */
import { ByteReader } from "../bytes.js";
import { StructWriter } from "./codec.js";
import {
  QUOTE_HEADER_SIZE,
  SGX_REPORT_BODY_SIZE,
  TD10_REPORT_BODY_SIZE,
  TD15_REPORT_BODY_SIZE,
} from "./constants.js";
import type { QuoteHeader, SgxReportBody, TdQuoteBody } from "./types.js";

export function readQuoteHeader(r: ByteReader): QuoteHeader {
  return {
    version: r.u16("header.version"),
    attestationKeyType: r.u16("header.attestationKeyType"),
    teeType: r.u32("header.teeType"),
    qeSvn: r.u16("header.qeSvn"),
    pceSvn: r.u16("header.pceSvn"),
    qeVendorId: r.subarray(16, "header.qeVendorId"),
    userData: r.subarray(20, "header.userData"),
  };
}

export function encodeQuoteHeader(h: QuoteHeader): Uint8Array {
  const w = new StructWriter(QUOTE_HEADER_SIZE, "QuoteHeader");
  w.u16(h.version, "version").u16(h.attestationKeyType, "attestationKeyType").u32(h.teeType, "teeType");
  w.u16(h.qeSvn, "qeSvn").u16(h.pceSvn, "pceSvn");
  w.fixed(h.qeVendorId, 16, "qeVendorId").fixed(h.userData, 20, "userData");
  return w.finish();
}

/** Reads a TD 1.0 (584 bytes) or TD 1.5 (648 bytes) body; `prefix` names it in errors. */
export function readTdQuoteBody(r: ByteReader, kind: "td10" | "td15", prefix = "body"): TdQuoteBody {
  const f = (n: string) => `${prefix}.${n}`;
  const body: TdQuoteBody = {
    kind,
    teeTcbSvn: r.subarray(16, f("teeTcbSvn")),
    mrSeam: r.subarray(48, f("mrSeam")),
    mrSignerSeam: r.subarray(48, f("mrSignerSeam")),
    seamAttributes: r.u64(f("seamAttributes")),
    tdAttributes: r.u64(f("tdAttributes")),
    xfam: r.u64(f("xfam")),
    mrTd: r.subarray(48, f("mrTd")),
    mrConfigId: r.subarray(48, f("mrConfigId")),
    mrOwner: r.subarray(48, f("mrOwner")),
    mrOwnerConfig: r.subarray(48, f("mrOwnerConfig")),
    rtmr: [
      r.subarray(48, f("rtmr0")),
      r.subarray(48, f("rtmr1")),
      r.subarray(48, f("rtmr2")),
      r.subarray(48, f("rtmr3")),
    ],
    reportData: r.subarray(64, f("reportData")),
  };
  if (kind === "td15") {
    body.teeTcbSvn2 = r.subarray(16, f("teeTcbSvn2"));
    body.mrServiceTd = r.subarray(48, f("mrServiceTd"));
  }
  return body;
}

/** Encodes a TD quote body: 584 bytes for `td10`, 648 for `td15` (which needs teeTcbSvn2/mrServiceTd). */
export function encodeTdQuoteBody(b: TdQuoteBody): Uint8Array {
  const td15 = b.kind === "td15";
  const w = new StructWriter(td15 ? TD15_REPORT_BODY_SIZE : TD10_REPORT_BODY_SIZE, "TdQuoteBody");
  w.fixed(b.teeTcbSvn, 16, "teeTcbSvn")
    .fixed(b.mrSeam, 48, "mrSeam")
    .fixed(b.mrSignerSeam, 48, "mrSignerSeam");
  w.u64(b.seamAttributes, "seamAttributes").u64(b.tdAttributes, "tdAttributes").u64(b.xfam, "xfam");
  w.fixed(b.mrTd, 48, "mrTd").fixed(b.mrConfigId, 48, "mrConfigId").fixed(b.mrOwner, 48, "mrOwner");
  w.fixed(b.mrOwnerConfig, 48, "mrOwnerConfig");
  for (let i = 0; i < 4; i++) w.fixed(b.rtmr[i] ?? new Uint8Array(0), 48, `rtmr${i}`);
  w.fixed(b.reportData, 64, "reportData");
  if (td15) {
    w.fixed(b.teeTcbSvn2 ?? new Uint8Array(0), 16, "teeTcbSvn2");
    w.fixed(b.mrServiceTd ?? new Uint8Array(0), 48, "mrServiceTd");
  }
  return w.finish();
}

export function readSgxReportBody(r: ByteReader, prefix = "body"): SgxReportBody {
  const f = (n: string) => `${prefix}.${n}`;
  return {
    kind: "sgx",
    cpuSvn: r.subarray(16, f("cpuSvn")),
    miscSelect: r.u32(f("miscSelect")),
    reserved1: r.subarray(12, f("reserved1")),
    isvExtProdId: r.subarray(16, f("isvExtProdId")),
    attributes: r.subarray(16, f("attributes")),
    mrEnclave: r.subarray(32, f("mrEnclave")),
    reserved2: r.subarray(32, f("reserved2")),
    mrSigner: r.subarray(32, f("mrSigner")),
    reserved3: r.subarray(32, f("reserved3")),
    configId: r.subarray(64, f("configId")),
    isvProdId: r.u16(f("isvProdId")),
    isvSvn: r.u16(f("isvSvn")),
    configSvn: r.u16(f("configSvn")),
    reserved4: r.subarray(42, f("reserved4")),
    isvFamilyId: r.subarray(16, f("isvFamilyId")),
    reportData: r.subarray(64, f("reportData")),
  };
}

/** Encodes a 384-byte SGX report body (quote v3 body or the QE report). */
export function encodeSgxReportBody(b: SgxReportBody): Uint8Array {
  const w = new StructWriter(SGX_REPORT_BODY_SIZE, "SgxReportBody");
  w.fixed(b.cpuSvn, 16, "cpuSvn").u32(b.miscSelect, "miscSelect").fixed(b.reserved1, 12, "reserved1");
  w.fixed(b.isvExtProdId, 16, "isvExtProdId").fixed(b.attributes, 16, "attributes");
  w.fixed(b.mrEnclave, 32, "mrEnclave").fixed(b.reserved2, 32, "reserved2").fixed(b.mrSigner, 32, "mrSigner");
  w.fixed(b.reserved3, 32, "reserved3").fixed(b.configId, 64, "configId");
  w.u16(b.isvProdId, "isvProdId").u16(b.isvSvn, "isvSvn").u16(b.configSvn, "configSvn");
  w.fixed(b.reserved4, 42, "reserved4")
    .fixed(b.isvFamilyId, 16, "isvFamilyId")
    .fixed(b.reportData, 64, "reportData");
  return w.finish();
}

/** Decodes a standalone 384-byte SGX report body (e.g. a QE report). */
export function parseSgxReportBody(bytes: Uint8Array): SgxReportBody {
  const r = new ByteReader(bytes, "SgxReportBody");
  const b = readSgxReportBody(r, "body");
  r.end();
  return b;
}

/** An all-zero TD quote body of the given kind (a starting point for builders and tests). */
export function emptyTdQuoteBody(kind: "td10" | "td15" = "td10"): TdQuoteBody {
  const size = kind === "td15" ? TD15_REPORT_BODY_SIZE : TD10_REPORT_BODY_SIZE;
  return readTdQuoteBody(new ByteReader(new Uint8Array(size), "TdQuoteBody"), kind);
}

/** An all-zero SGX report body. */
export function emptySgxReportBody(): SgxReportBody {
  return parseSgxReportBody(new Uint8Array(SGX_REPORT_BODY_SIZE));
}
