/** Appraisal: policy, verdicts, event-level explanations, EAR output. */
export { appraise } from "./appraise.js";
export { buildEar, EAR_PROFILE, type EarClaims, type EarOptions, earFromCbor, encodeEarCbor } from "./ear.js";
export { diffRtmrEvents, replayEvents } from "./events.js";
export { appraisalInputFromVerified, tcbFromVerified } from "./from-dcap.js";
export { appraisalEventsFromLog, appraisalInputEvents } from "./from-eventlog.js";
export {
  DEFAULT_POLICY,
  type Policy,
  parsePolicy,
  parsePolicyJson,
  type Severity,
  TCB_STATUSES,
  type TcbStatus,
} from "./policy.js";
export { ATTR_DEBUG, ATTR_SEPT_VE_DISABLE, summarizeTcb } from "./tcb.js";
export type {
  AppraisalEvent,
  AppraisalInput,
  AppraisalOptions,
  AppraisalQuoteBody,
  AppraisalResult,
  AppraisalTcb,
  AppraisalTcbLevel,
  EventDifference,
  FieldResult,
  TcbSummary,
  Verdict,
} from "./types.js";
