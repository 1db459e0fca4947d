/**
 * TCG2 "crypto agile" event log parser (tdx-reference.md §12.2): a legacy SHA-1-format Spec ID
 * header record, then TCG_PCR_EVENT2 records whose digest sizes come from the header's algorithm
 * table. Every loop is bounded by the remaining bytes, so a crafted length cannot cause a hang;
 * every inconsistency is a ParseError naming the record and its offset.
 */
import { ByteReader, fromUtf8, isAllZero } from "../bytes.js";
import { hexOffset, ParseError } from "../errors.js";
import {
  EV,
  type EventDigest,
  type EventLog,
  KNOWN_DIGEST_SIZES,
  type SpecIdEvent,
  type StopReason,
  type TcgAlgorithm,
  type TcgEvent,
} from "./types.js";

export const SPEC_ID_SIGNATURE = "Spec ID Event03\0";
/** No real log declares more; a larger count is a crafted header. */
const MAX_ALGORITHMS = 16;
/** Largest digest we accept for an algorithm the table does not know. */
const MAX_DIGEST_SIZE = 128;

function formatError(field: string, offset: number, msg: string): ParseError {
  return new ParseError("ERR_EVENTLOG_FORMAT", `${field}: ${msg} at ${hexOffset(offset)}`, { field, offset });
}

/** Parses the `TCG_EfiSpecIDEvent` carried by the header record (§12.2). */
export function parseSpecIdEvent(data: Uint8Array, base = 0): SpecIdEvent {
  const r = new ByteReader(data, "SpecIdEvent", base);
  const signature = fromUtf8(r.subarray(16, "signature"));
  if (signature !== SPEC_ID_SIGNATURE) {
    throw formatError(
      "SpecIdEvent.signature",
      base,
      `is ${JSON.stringify(signature)}, expected "Spec ID Event03"`,
    );
  }
  const platformClass = r.u32("platformClass");
  const specVersionMinor = r.u8("specVersionMinor");
  const specVersionMajor = r.u8("specVersionMajor");
  const specErrata = r.u8("specErrata");
  const uintnSize = r.u8("uintnSize");
  const countAt = r.absolute;
  const n = r.u32("numberOfAlgorithms");
  if (n === 0 || n > MAX_ALGORITHMS || n * 4 > r.remaining) {
    throw formatError(
      "SpecIdEvent.numberOfAlgorithms",
      countAt,
      `${n} is impossible (${r.remaining} bytes remain)`,
    );
  }
  const algorithms: TcgAlgorithm[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.absolute;
    const algorithmId = r.u16(`digestSizes[${i}].algorithmId`);
    const digestSize = r.u16(`digestSizes[${i}].digestSize`);
    const known = KNOWN_DIGEST_SIZES.get(algorithmId);
    if ((known !== undefined && known !== digestSize) || digestSize === 0 || digestSize > MAX_DIGEST_SIZE) {
      throw formatError(
        `SpecIdEvent.digestSizes[${i}]`,
        at,
        `algorithm 0x${algorithmId.toString(16)} size ${digestSize}`,
      );
    }
    if (algorithms.some((a) => a.algorithmId === algorithmId)) {
      throw formatError(
        `SpecIdEvent.digestSizes[${i}]`,
        at,
        `algorithm 0x${algorithmId.toString(16)} listed twice`,
      );
    }
    algorithms.push({ algorithmId, digestSize });
  }
  const vendorInfoSize = r.u8("vendorInfoSize");
  const vendorInfo = r.take(vendorInfoSize, "vendorInfo");
  r.end();
  return {
    signature,
    platformClass,
    specVersionMinor,
    specVersionMajor,
    specErrata,
    uintnSize,
    algorithms,
    vendorInfo,
  };
}

/** Reads the record header fields without consuming; classifies end-of-log markers (§12.2). */
function endMarker(bytes: Uint8Array, pos: number): StopReason | undefined {
  const rest = bytes.length - pos;
  if (rest <= 0) return "end";
  const head = bytes.subarray(pos, pos + Math.min(rest, 8));
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff) {
    return "ff-padding";
  }
  if (head.length >= 8 && head[4] === 0xff && head[5] === 0xff && head[6] === 0xff && head[7] === 0xff) {
    return "ff-padding";
  }
  const zeroHead = bytes.subarray(pos, pos + Math.min(rest, 12));
  if (isAllZero(zeroHead)) return "zero-padding";
  if (rest < 8 && head.every((b) => b === 0xff)) return "ff-padding";
  return undefined;
}

function parseRecord(r: ByteReader, seq: number, algs: readonly TcgAlgorithm[]): TcgEvent {
  const offset = r.absolute;
  const ctx = `EventLog.events[${seq}]`;
  const mrIndex = r.u32(`events[${seq}].mrIndex`);
  const eventType = r.u32(`events[${seq}].eventType`);
  const countAt = r.absolute;
  const count = r.u32(`events[${seq}].digestCount`);
  if (count === 0 || count > algs.length) {
    throw formatError(
      `${ctx}.digestCount`,
      countAt,
      `${count} digests, the header declares ${algs.length} algorithms`,
    );
  }
  const digests: EventDigest[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.absolute;
    const algorithmId = r.u16(`events[${seq}].digests[${i}].algorithmId`);
    const alg = algs.find((a) => a.algorithmId === algorithmId);
    if (!alg) {
      throw formatError(
        `${ctx}.digests[${i}].algorithmId`,
        at,
        `0x${algorithmId.toString(16)} is not declared in the Spec ID header`,
      );
    }
    if (digests.some((d) => d.algorithmId === algorithmId)) {
      throw formatError(
        `${ctx}.digests[${i}].algorithmId`,
        at,
        `0x${algorithmId.toString(16)} appears twice`,
      );
    }
    digests.push({ algorithmId, digest: r.take(alg.digestSize, `events[${seq}].digests[${i}].digest`) });
  }
  const size = r.u32(`events[${seq}].eventSize`);
  const data = r.take(size, `events[${seq}].event`);
  return { seq, offset, mrIndex, eventType, digests, data };
}

/**
 * Parses a CCEL log area (or any TCG2 crypto-agile log). Stops at the end of the buffer, at a
 * record header starting with 0xFFFFFFFF (TDVF fills the area with 0xFF) or at an all-zero
 * header (zero padding). Throws ParseError (ERR_EVENTLOG_FORMAT / ERR_TRUNCATED) otherwise.
 */
export function parseTcg2Log(bytes: Uint8Array): EventLog {
  const r = new ByteReader(bytes, "EventLog");
  const headerMrIndex = r.u32("header.pcrIndex");
  const headerType = r.u32("header.eventType");
  if (headerType !== EV.NO_ACTION) {
    throw formatError(
      "EventLog.header.eventType",
      4,
      `is 0x${headerType.toString(16)}, expected EV_NO_ACTION (3)`,
    );
  }
  r.skip(20, "header.digest");
  const specSize = r.u32("header.eventSize");
  const specAt = r.absolute;
  const specId = parseSpecIdEvent(r.subarray(specSize, "header.event"), specAt);
  const events: TcgEvent[] = [];
  let stopReason: StopReason = "end";
  for (;;) {
    const marker = endMarker(bytes, r.pos);
    if (marker) {
      stopReason = marker;
      break;
    }
    events.push(parseRecord(r, events.length, specId.algorithms));
  }
  return { format: "tcg2", specId, headerMrIndex, events, endOffset: r.pos, stopReason };
}
