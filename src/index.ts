/**
 * tdx-attest public API (browser-safe). Every export is named here; Node-only helpers
 * (file and HTTP I/O) live under "tdx-attest/node".
 */

// ABI codecs (TD_PARAMS, TDREPORT, DCAP quotes): see src/abi/index.ts for the named list.
export * as abi from "./abi/index.js";
export {
  encodeQuote,
  encodeTdParams,
  encodeTdReport,
  parseQuote,
  parseTdParams,
  parseTdReport,
  type Quote,
  quoteToJson,
  type TdParams,
  type TdReport,
} from "./abi/index.js";
// Appraisal (policy, verdicts, EAR): see src/appraise/index.ts for the named list.
export * as appraisal from "./appraise/index.js";
export {
  type AppraisalInput,
  type AppraisalResult,
  appraisalInputFromVerified,
  appraise,
  buildEar,
  DEFAULT_POLICY,
  encodeEarCbor,
  type Policy,
  parsePolicy,
} from "./appraise/index.js";
export { fromBase64, fromHex, toBase64, toHex } from "./bytes.js";
export {
  type CryptoBackend,
  defaultCrypto,
  type HashAlgorithm,
  type HashContext,
  portableCrypto,
  setDefaultCrypto,
} from "./crypto/index.js";
// DCAP quote verification: see src/dcap/index.ts for the named list.
export * as dcap from "./dcap/index.js";
export {
  type Collateral,
  collateralFromJson,
  collateralFromPcs,
  type VerifiedQuote,
  verifyQuote,
} from "./dcap/index.js";
export {
  AppraisalError,
  CollateralError,
  ConfigError,
  type ErrorCode,
  type ErrorLocation,
  isTdxError,
  ParseError,
  SimulationError,
  TdxError,
  VerifyError,
} from "./errors.js";
export * as eventlog from "./eventlog/index.js";
export { loadEventLog, parseCcelTable, parseTcg2Log, replayRtmrs } from "./eventlog/index.js";
export { authenticodeHash } from "./firmware/pe-authenticode.js";
export { buildTdHob } from "./firmware/td-hob.js";
export { parseTdvfMetadata, type TdvfMetadata, type TdvfSection } from "./firmware/tdvf.js";
export { buildTdvfImage, type TdvfImageSpec, type TdvfSectionSpec } from "./firmware/tdvf-builder.js";
export { type LaunchConfig, type LaunchConfigInput, resolveLaunchConfig } from "./measure/config.js";
export {
  type GoldenMeasurements,
  type MeasureOptions,
  type MeasureProgress,
  measureLaunch,
} from "./measure/launch.js";
export { computeGoldenRtmrs, type GoldenRtmrs, whatIfFromReferenceLog } from "./measure/rtmr.js";
export type { GoldenRtmrInput } from "./measure/rtmr-input.js";
export { goldenRtmrsForLaunch } from "./measure/rtmr-launch.js";
// Simulated TDX module and the KVM/QEMU launch replay: see src/module/index.ts, src/vmm/index.ts.
export * as tdxModule from "./module/index.js";
export { createPlatform, MrtdAccumulator, type Platform, statusName, TdxModule } from "./module/index.js";
// Reference values (JSON, deterministic CBOR, COSE_Sign1): see src/reference/index.ts.
export * as reference from "./reference/index.js";
export {
  encodeReferenceValues,
  loadReferenceValues,
  mrConfigIdBinding,
  type ReferenceValues,
  referenceSetFromMeasurement,
} from "./reference/index.js";
export { simulateTdBoot } from "./sim/guest-firmware-boot.js";
export { createTestPki, generateTestPkiKeys, type TestPki, type TestPkiOptions } from "./sim/pki.js";
export { simulateQuote, syntheticTdReport } from "./sim/qe.js";
export * as vmm from "./vmm/index.js";
export { Kvm, type KvmGeneration, LaunchTrace, launchTd } from "./vmm/index.js";
