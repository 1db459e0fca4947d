/** Event logs (tdx-reference.md §12): CCEL table, TCG2 and dstack JSON logs, replay, labels, diff. */
export { CC_TYPE, CCEL_TABLE_SIZE, type CcelTable, parseCcelTable } from "./ccel-table.js";
export { type DecodedEvent, decodeEvent, type GptPartition, printableText } from "./decode.js";
export { type DiffSide, diffEventLogs, type LogDiff, type RtmrDiff } from "./diff.js";
export { type DstackQuoteResponse, looksLikeDstackJson, parseDstackJson } from "./dstack-json.js";
export { encodeCcelTable, encodeTcg2Log, specIdEventData } from "./encode.js";
export { type LabeledEvent, LINUX_INITRD_TAG, LINUX_LOAD_OPTIONS_TAG, labelEvents } from "./label.js";
export {
  compareRtmrs,
  extendRtmr,
  isRtmrExtend,
  type ReplayComparison,
  type ReplayResult,
  type RtmrComparison,
  replayRtmrs,
} from "./replay.js";
export {
  dstackRuntimeDigest,
  type ForgedEvent,
  type SelfCheckResult,
  selfCheckEvents,
} from "./self-check.js";
export { type LoadedEventLog, loadEventLog, summarizeDecoded } from "./summary.js";
export { parseSpecIdEvent, parseTcg2Log, SPEC_ID_SIGNATURE } from "./tcg2.js";
export {
  EV,
  type EventDigest,
  type EventLog,
  eventTypeName,
  type SpecIdEvent,
  type StopReason,
  sha384Digest,
  type TcgAlgorithm,
  type TcgEvent,
  TPM_ALG,
} from "./types.js";
export {
  EFI_GLOBAL_VARIABLE,
  EFI_IMAGE_SECURITY_DATABASE,
  formatGuid,
  guidBytes,
  parseImageLoadEvent,
  parseUefiVariableData,
  type UefiImageLoadEvent,
  type UefiVariableData,
} from "./uefi.js";
