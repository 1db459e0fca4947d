/** DCAP quote verification (tdx-reference.md sections 13-16): the named public surface. */
export { CollateralCache } from "./cache.js";
export {
  type Collateral,
  collateralFromJson,
  collateralFromPcs,
  crlBytes,
  issuerChain,
  type PcsResponses,
  splitSignedBody,
} from "./collateral.js";
export { pemCertificates } from "./pem.js";
export { INTEL_SGX_ROOT_CA_SHA256, intelSgxRootCa } from "./root-ca.js";
export { type PckExtensions, parsePckExtensions } from "./sgx-extension.js";
export {
  type IsvLevel,
  parseQeIdentity,
  parseTcbInfo,
  type QeIdentity,
  TCB_STATUSES,
  type TcbInfo,
  type TcbLevel,
  type TcbStatus,
  type TdxModuleIdentity,
} from "./tcb-info.js";
export { converge, mergeAdvisories, type QuoteStatus, selectTcbLevel } from "./tcb-status.js";
export {
  defaultCache,
  INTEL_QE_VENDOR_ID,
  type PckInfo,
  type VerifiedQuote,
  type VerifyQuoteOptions,
  verifyQuote,
} from "./verify.js";
export { type Certificate, type Crl, parseCertificate, parseCrl } from "./x509.js";
