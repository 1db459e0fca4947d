/**
 * dstack's JSON event log (fixture case I): a GetQuote response `{quote, event_log, ...}` whose
 * `event_log` is a JSON string (or array) of `{imr, event_type, digest, event, event_payload}`.
 * `imr` 0..3 is the RTMR index (CC MR index − 1). Runtime events (type 0x08000001) may carry an
 * empty digest; theirs is SHA-384(u32 LE event_type || ":" || event || ":" || payload), which
 * is recomputed here so the list replays like a binary log (docs/eventlog.md).
 */
import { fromHex } from "../bytes.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { ParseError } from "../errors.js";
import { dstackRuntimeDigest } from "./self-check.js";
import { type EventLog, type TcgEvent, TPM_ALG } from "./types.js";

export interface DstackQuoteResponse {
  /** Quote bytes from the `quote` field, if present. */
  readonly quote?: Uint8Array;
  readonly eventLog: EventLog;
}

function bad(field: string, msg: string): ParseError {
  return new ParseError("ERR_BAD_JSON", `DstackEventLog.${field}: ${msg}`, {
    field: `DstackEventLog.${field}`,
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw bad(field, `not JSON (${(e as Error).message})`);
  }
}

/** True if the text looks like a dstack JSON log or GetQuote response (cheap sniff). */
export function looksLikeDstackJson(bytes: Uint8Array): boolean {
  let i = 0;
  while (
    i < bytes.length &&
    (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)
  )
    i++;
  return bytes[i] === 0x7b || bytes[i] === 0x5b;
}

/** Parses a GetQuote response object or a bare event array (as JSON text). */
export function parseDstackJson(text: string, crypto: CryptoBackend = defaultCrypto()): DstackQuoteResponse {
  const root = parseJson(text, "root");
  let list: unknown = root;
  let quote: Uint8Array | undefined;
  if (isRecord(root)) {
    if (typeof root["quote"] === "string") quote = fromHex(root["quote"], "DstackEventLog.quote");
    list =
      typeof root["event_log"] === "string" ? parseJson(root["event_log"], "event_log") : root["event_log"];
  }
  if (!Array.isArray(list)) throw bad("event_log", "expected an array of events");
  const events = list.map((item, seq) => parseItem(item, seq, crypto));
  const eventLog: EventLog = { format: "dstack-json", events, endOffset: 0, stopReason: "end" };
  return quote ? { quote, eventLog } : { eventLog };
}

function parseItem(item: unknown, seq: number, crypto: CryptoBackend): TcgEvent {
  const f = `event_log[${seq}]`;
  if (!isRecord(item)) throw bad(f, "is not an object");
  const imr = item["imr"];
  const type = item["event_type"];
  if (typeof imr !== "number" || !Number.isInteger(imr) || imr < 0 || imr > 3)
    throw bad(`${f}.imr`, `must be 0..3, got ${String(imr)}`);
  if (typeof type !== "number" || !Number.isInteger(type) || type < 0 || type > 0xffffffff)
    throw bad(`${f}.event_type`, "must be a u32");
  const name = typeof item["event"] === "string" ? item["event"] : "";
  const payloadHex = typeof item["event_payload"] === "string" ? item["event_payload"] : "";
  const data = fromHex(payloadHex, `DstackEventLog.${f}.event_payload`);
  const digestHex = typeof item["digest"] === "string" ? item["digest"] : "";
  const digest =
    digestHex === ""
      ? dstackRuntimeDigest(type, name, data, crypto)
      : fromHex(digestHex, `DstackEventLog.${f}.digest`, 48);
  return {
    seq,
    offset: -1,
    mrIndex: imr + 1,
    eventType: type,
    digests: [{ algorithmId: TPM_ALG.SHA384, digest }],
    data,
    ...(name !== "" ? { name } : {}),
    ...(digestHex !== "" && data.length === 0 && name === "" ? { dataOmitted: true } : {}),
  };
}
