/**
 * One-line human summaries of decoded events, and the auto-detecting reader used by the CLI and
 * by callers that accept either a binary CCEL log or dstack's JSON log.
 */
import { fromUtf8, toHex } from "../bytes.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import type { DecodedEvent } from "./decode.js";
import { looksLikeDstackJson, parseDstackJson } from "./dstack-json.js";
import { parseTcg2Log } from "./tcg2.js";
import type { EventLog } from "./types.js";

function clip(s: string, n = 96): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}

/** Control characters (newlines, escapes) would break or spoof the one-line-per-event output. */
export function oneLineText(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing them is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, "\u00b7");
}

/** A short readable description of decoded event data: one line, at most 160 characters. */
export function summarizeDecoded(d: DecodedEvent): string {
  return clip(oneLineText(summarizeFull(d)), 160);
}

function summarizeFull(d: DecodedEvent): string {
  switch (d.kind) {
    case "spec-id":
      return `${d.specId.signature.replace(/\0+$/, "")} algorithms ${d.specId.algorithms.map((a) => `0x${a.algorithmId.toString(16)}/${a.digestSize}`).join(",")}`;
    case "no-action":
      return `${d.signature.replace(/\0+$/, "")} ${clip(toHex(d.rest), 64)}`.trim();
    case "separator":
      return `0x${d.value.toString(16).padStart(8, "0")}`;
    case "text":
      return clip(JSON.stringify(d.text));
    case "uefi-variable":
      return `{${d.variable.guid}} ${d.variable.data.length} bytes${d.variable.data.length > 0 && d.variable.data.length <= 16 ? ` ${toHex(d.variable.data)}` : ""}`;
    case "image-load":
      return `${d.image.devicePathText || "(no device path)"} at 0x${d.image.imageLocationInMemory.toString(16)} len 0x${d.image.imageLengthInMemory.toString(16)}`;
    case "firmware-blob":
      return `${d.description ?? "blob"} base 0x${d.base.toString(16)} len 0x${d.length.toString(16)}`;
    case "handoff-tables":
      return `${d.description ?? "tables"} ${d.tables.map((t) => `{${t.guid}}@0x${t.address.toString(16)}`).join(" ")}`;
    case "fw-cfg":
      return `QEMU fw_cfg ${d.name}`;
    case "event-tag":
      return `tag 0x${d.taggedEventId.toString(16)} ${d.text !== undefined ? JSON.stringify(d.text) : `${d.data.length} bytes`}`;
    case "gpt":
      return `disk {${d.diskGuid}} ${d.partitions.length} partitions`;
    case "vcpu-info":
      return `NUM_VCPUS ${d.numVcpus} MAX_VCPUS ${d.maxVcpus}`;
    case "raw":
      return `${d.data.length} bytes${d.error ? ` (${d.error})` : ""}${d.data.length > 0 ? ` ${clip(toHex(d.data), 64)}` : ""}`;
  }
}

export interface LoadedEventLog {
  readonly eventLog: EventLog;
  /** Quote carried next to the log (dstack GetQuote response). */
  readonly quote?: Uint8Array;
}

/** Reads a binary TCG2/CCEL log or a dstack JSON log (detected by a leading `{` or `[`). */
export function loadEventLog(bytes: Uint8Array, crypto: CryptoBackend = defaultCrypto()): LoadedEventLog {
  if (looksLikeDstackJson(bytes)) return parseDstackJson(fromUtf8(bytes), crypto);
  return { eventLog: parseTcg2Log(bytes) };
}
