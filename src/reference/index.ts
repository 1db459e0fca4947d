/** Reference values: schema, JSON/CBOR codecs, COSE_Sign1 signing, MRCONFIGID binding. */
export {
  type BytesLike,
  encodeReferenceValues,
  type LoadedReferenceValues,
  type LoadReferenceOptions,
  loadReferenceValues,
  type MeasurementLike,
  mrConfigIdBinding,
  type ReferenceSetOptions,
  referenceSetFromMeasurement,
  type U64Like,
} from "./build.js";
export { CborTagged, type CborValue, decodeDeterministic, encodeDeterministic } from "./cbor.js";
export {
  combineReferenceValues,
  decodeReferenceValuesCbor,
  encodeReferenceValuesCbor,
  encodeReferenceValuesJson,
  parseReferenceValuesJson,
  referenceValuesToJsonValue,
} from "./codec.js";
export {
  COSE_ALG,
  type CoseAlgorithm,
  isCoseSign1,
  REFERENCE_CONTENT_TYPE,
  signCoseSign1,
  verifyCoseSign1,
} from "./cose.js";
export {
  FLAG_FIELDS,
  type FlagField,
  HASH_FIELDS,
  type HashField,
  type JsonValue,
  REFERENCE_TYPE,
  REFERENCE_VERSION,
  type ReferenceEvent,
  type ReferenceInputFile,
  type ReferenceLaunchConfig,
  type ReferenceValueSet,
  type ReferenceValues,
} from "./types.js";
