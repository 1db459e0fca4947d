/**
 * Public surface of the ABI codecs (TD_PARAMS, TDREPORT, DCAP quotes), re-exported by the
 * package root. Every export is named (no `export *`).
 */
export {
  encodeCertificationData,
  encodeQeReportPayload,
  findPckChain,
  pckChainCertificationData,
} from "./cert-data.js";
export type { ReservedFinding } from "./codec.js";
export {
  ATTESTATION_KEY_TYPE,
  BODY_TYPE,
  CERT_DATA_TYPE,
  CERT_DATA_TYPE_NAMES,
  INTEL_QE_VENDOR_ID,
  QUOTE_HEADER_SIZE,
  QUOTE_VERSION,
  qeVendorName,
  SGX_REPORT_BODY_SIZE,
  TD10_REPORT_BODY_SIZE,
  TD15_REPORT_BODY_SIZE,
  TEE_TYPE,
} from "./constants.js";
export {
  attributeNames,
  CONFIG_FLAG_BITS,
  configFlagNames,
  type FlagBit,
  flagNames,
  parseAttributeNames,
  parseConfigFlagNames,
  parseFlagNames,
  parseXfamNames,
  TD_ATTRIBUTE_BITS,
  TD_ATTRIBUTES,
  u64MemoryHex,
  XFAM_BITS,
  xfamNames,
} from "./flags.js";
export { type JsonObject, type JsonValue, quoteToJson, tdParamsToJson, tdReportToJson } from "./json.js";
export { encodePem, encodePemCertificates, parsePemCertificates } from "./pem.js";
export { encodeQuote, encodeSignatureData, encodeSignedPart, parseQuote } from "./quote.js";
export {
  emptySgxReportBody,
  emptyTdQuoteBody,
  encodeQuoteHeader,
  encodeSgxReportBody,
  encodeTdQuoteBody,
  parseSgxReportBody,
} from "./quote-body.js";
export {
  DEFAULT_NUM_CPUID_CONFIG,
  emptyTdParams,
  encodeTdParams,
  parseTdParams,
  TD_PARAMS_SIZE,
  type TdParamsOptions,
  tdParamsReservedFindings,
} from "./td-params.js";
export {
  encodeReportMacStruct,
  encodeTdInfo,
  encodeTdReport,
  encodeTeeTcbInfo,
  parseTdInfo,
  parseTdReport,
  TD_REPORT_SIZE,
  tdReportReservedFindings,
} from "./td-report.js";
export { type CertDescriber, quoteToText, tdReportToText } from "./text.js";
export type {
  CertificationData,
  CpuidConfigValues,
  PckChainCertificationData,
  QeReportCertificationData,
  Quote,
  QuoteBody,
  QuoteHeader,
  QuoteSignatureData,
  RawCertificationData,
  ReportMacStruct,
  ReportType,
  SgxReportBody,
  TdInfo,
  TdParams,
  TdQuoteBody,
  TdReport,
  TeeTcbInfo,
} from "./types.js";
