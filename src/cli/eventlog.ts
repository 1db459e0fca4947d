/**
 * `tdx-attest eventlog show|replay|diff`: decode a CCEL/TCG2 (or dstack JSON) event log, replay
 * it to RTMR0-3 and compare with a quote or TDREPORT, or align two logs per RTMR.
 * Exit 1 when a replay mismatches or a self-describing digest is forged (EXIT.negative).
 */
import { parseQuote } from "../abi/quote.js";
import { parseTdReport, TD_REPORT_SIZE } from "../abi/td-report.js";
import { toHex } from "../bytes.js";
import { ConfigError, ParseError } from "../errors.js";
import { parseCcelTable } from "../eventlog/ccel-table.js";
import { diffEventLogs } from "../eventlog/diff.js";
import { looksLikeDstackJson } from "../eventlog/dstack-json.js";
import { labelEvents } from "../eventlog/label.js";
import { compareRtmrs, replayRtmrs } from "../eventlog/replay.js";
import { selfCheckEvents } from "../eventlog/self-check.js";
import { type LoadedEventLog, loadEventLog, oneLineText, summarizeDecoded } from "../eventlog/summary.js";
import { eventTypeName } from "../eventlog/types.js";
import { parseMemory } from "../measure/config.js";
import { whatIfFromReferenceLog } from "../measure/rtmr.js";
import type { GoldenRtmrInput } from "../measure/rtmr-input.js";
import { type CommandContext, decodeInput, EXIT, readInput, readRaw, toJson } from "./common.js";
import { quoteFromJson } from "./quote.js";

const USAGE = `usage:
  tdx-attest eventlog show <ccel-data|json> [--table <ccel-table>] [--json]
  tdx-attest eventlog replay <ccel-data|json> [--quote <quote|tdreport>] [--json]
  tdx-attest eventlog diff <log-a> <log-b> [--json]
  tdx-attest eventlog whatif <log> [--kernel <file> --memory <size>] [--initrd <file>] [--cmdline <text>]
                          [--initrd-option suffix|prefix|none] [--no-patch] [--json]
`;

function load(
  ctx: CommandContext,
  file: string,
  tableFile?: string,
): LoadedEventLog & { table?: ReturnType<typeof parseCcelTable> } {
  const bytes = readRaw(ctx, file);
  // A binary CCEL log starts with a u32 MR index (zero bytes), so only text is re-decoded:
  // hex or base64 logs (e.g. Trustee evidence `cc_eventlog`) become bytes, JSON stays JSON.
  let raw = looksLikeDstackJson(bytes) ? bytes : decodeInput(bytes, "auto", "eventlog");
  if (!tableFile) return loadEventLog(raw);
  const table = parseCcelTable(readInput(ctx, tableFile, "auto", "ccel-table"));
  if (BigInt(raw.length) > table.laml) raw = raw.subarray(0, Number(table.laml));
  return { ...loadEventLog(raw), table };
}

/**
 * RTMR0-3 of the evidence: a 1024-byte TDREPORT (§7.5) or a DCAP quote with a TD body (§13.4),
 * decoded by the ABI codecs. An SGX quote has no RTMRs and is refused.
 */
export function rtmrsOfEvidence(b: Uint8Array): Uint8Array[] {
  if (b.length === TD_REPORT_SIZE) return [...parseTdReport(b).tdInfo.rtmr];
  const q = parseQuote(b);
  if (q.body.kind === "sgx") {
    throw new ParseError("ERR_UNSUPPORTED_TEE_TYPE", "evidence: an SGX quote has no RTMRs", {
      field: "Quote.body",
    });
  }
  return [...q.body.rtmr];
}

/** A quote or TDREPORT file: binary, hex, base64, or JSON evidence with a `quote` field. */
function readEvidence(ctx: CommandContext, file: string): Uint8Array {
  const raw = readRaw(ctx, file);
  return quoteFromJson(raw, "auto") ?? decodeInput(raw, "auto", "quote");
}

function show(ctx: CommandContext, args: Args): number {
  const { eventLog, table } = load(ctx, need(args.pos[0], "ccel-data"), args.table);
  const labeled = labelEvents(eventLog.events);
  if (args.json) {
    const events = labeled.map((l) => ({
      seq: l.event.seq,
      offset: l.event.offset,
      mrIndex: l.event.mrIndex,
      rtmr: l.event.mrIndex >= 1 && l.event.mrIndex <= 4 ? l.event.mrIndex - 1 : null,
      eventType: l.event.eventType,
      eventTypeName: eventTypeName(l.event.eventType),
      digests: l.event.digests,
      label: l.label,
      decoded: l.decoded,
    }));
    ctx.stdout(
      `${toJson({ ok: true, table, format: eventLog.format, specId: eventLog.specId, stopReason: eventLog.stopReason, endOffset: eventLog.endOffset, events })}\n`,
    );
    return EXIT.ok;
  }
  if (table)
    ctx.stdout(
      `CCEL table: CC type ${table.ccType}, LAML 0x${table.laml.toString(16)}, LASA 0x${table.lasa.toString(16)}\n`,
    );
  ctx.stdout(
    `${eventLog.format} log, ${eventLog.events.length} events, stopped at 0x${eventLog.endOffset.toString(16)} (${eventLog.stopReason})\n`,
  );
  for (const l of labeled) {
    const e = l.event;
    const where = e.mrIndex >= 1 && e.mrIndex <= 4 ? `RTMR${e.mrIndex - 1}` : `MR${e.mrIndex}`;
    const d = e.digests[0] ? toHex(e.digests[0].digest).slice(0, 16) : "-";
    ctx.stdout(
      `#${String(e.seq).padEnd(3)} ${where.padEnd(5)} ${eventTypeName(e.eventType).padEnd(34)} ${d}  ${oneLineText(l.label)}: ${summarizeDecoded(l.decoded)}\n`,
    );
  }
  return EXIT.ok;
}

function replay(ctx: CommandContext, args: Args): number {
  const loaded = load(ctx, need(args.pos[0], "ccel-data"), args.table);
  const r = replayRtmrs(loaded.eventLog);
  const check = selfCheckEvents(loaded.eventLog.events);
  const evidence = args.quote ? readEvidence(ctx, args.quote) : loaded.quote;
  const cmp = evidence ? compareRtmrs(r.rtmrs, rtmrsOfEvidence(evidence)) : undefined;
  const ok = (cmp?.match ?? true) && check.forged.length === 0;
  if (args.json) {
    ctx.stdout(
      `${toJson({ ok, rtmrs: r.rtmrs.map(toHex), extendCounts: r.extendCounts, comparison: cmp, selfCheck: check })}\n`,
    );
    return ok ? EXIT.ok : EXIT.negative;
  }
  r.rtmrs.forEach((v, i) => {
    const c = cmp?.rtmrs[i];
    ctx.stdout(
      `RTMR${i} ${toHex(v)}${c ? (c.match ? "  match" : `  MISMATCH (expected ${c.expected})`) : ""}\n`,
    );
  });
  ctx.stdout(
    `self-check: ${check.checked} digests checked, ${check.unchecked} not checkable, ${check.forged.length} forged\n`,
  );
  for (const f of check.forged)
    ctx.stdout(
      `  forged #${f.seq} ${eventTypeName(f.eventType)}: logged ${f.logged}, data hashes to ${f.computed}\n`,
    );
  if (cmp)
    ctx.stdout(
      cmp.match ? "replay matches the evidence\n" : `replay MISMATCH on RTMR ${cmp.mismatched.join(", ")}\n`,
    );
  return ok ? EXIT.ok : EXIT.negative;
}

function diff(ctx: CommandContext, args: Args): number {
  const a = load(ctx, need(args.pos[0], "log-a")).eventLog;
  const b = load(ctx, need(args.pos[1], "log-b")).eventLog;
  const d = diffEventLogs(a.events, b.events);
  if (args.json) {
    ctx.stdout(`${toJson({ ok: d.equal, ...d })}\n`);
    return d.equal ? EXIT.ok : EXIT.negative;
  }
  for (const r of d.rtmrs) {
    if (r.equal) {
      ctx.stdout(`RTMR${r.rtmr}: same ${r.countA} events\n`);
      continue;
    }
    ctx.stdout(
      `RTMR${r.rtmr}: first difference at event ${r.position} of this RTMR (A has ${r.countA}, B has ${r.countB})\n`,
    );
    for (const [name, s] of [
      ["A", r.a],
      ["B", r.b],
    ] as const) {
      ctx.stdout(
        s
          ? `  ${name} #${s.seq} ${s.label} [${eventTypeName(s.eventType)}] ${s.digest}\n     ${summarizeDecoded(s.decoded)}\n`
          : `  ${name} (no event)\n`,
      );
    }
  }
  return d.equal ? EXIT.ok : EXIT.negative;
}

interface Args {
  readonly pos: string[];
  readonly json: boolean;
  readonly table?: string;
  readonly quote?: string;
  readonly opts: Record<string, string>;
  readonly noPatch: boolean;
}

const VALUE_OPTIONS = ["--kernel", "--initrd", "--cmdline", "--memory", "--initrd-option"];

/** What-if (§12.6): substitute kernel/initrd/cmdline digests in a real log and replay. */
function whatif(ctx: CommandContext, args: Args): number {
  const ref = load(ctx, need(args.pos[0], "log")).eventLog;
  const o = args.opts;
  const style = o["--initrd-option"];
  if (style !== undefined && style !== "suffix" && style !== "prefix" && style !== "none") {
    throw new ConfigError("ERR_USAGE", "--initrd-option must be suffix, prefix or none", {
      field: "--initrd-option",
    });
  }
  const memory = o["--memory"] !== undefined ? parseMemory(o["--memory"], "--memory") : undefined;
  const input: GoldenRtmrInput = {
    ...(o["--kernel"] !== undefined ? { kernel: readRaw(ctx, o["--kernel"]) } : {}),
    ...(o["--initrd"] !== undefined ? { initrd: readRaw(ctx, o["--initrd"]) } : {}),
    ...(o["--cmdline"] !== undefined ? { cmdline: o["--cmdline"] } : {}),
    ...(memory !== undefined ? { memorySize: memory } : {}),
    ...(style !== undefined ? { initrdOption: style } : {}),
    ...(args.noPatch ? { kernelPatch: false } : {}),
  };
  const g = whatIfFromReferenceLog(ref, input);
  const before = replayRtmrs(ref).rtmrs.map(toHex);
  const after = g.rtmrs.map(toHex);
  if (args.json) {
    ctx.stdout(`${toJson({ ok: true, rtmrs: after, referenceRtmrs: before, changed: g.changed })}\n`);
    return EXIT.ok;
  }
  for (const c of g.changed)
    ctx.stdout(`changed #${c.seq} RTMR${c.mrIndex - 1} ${c.label}: ${c.previousDigest} -> ${c.digest}\n`);
  if (g.changed.length === 0) ctx.stdout("no event changed\n");
  ctx.stdout(after.map((v, i) => `RTMR${i} ${v}${v === before[i] ? "" : "  (changed)"}\n`).join(""));
  return EXIT.ok;
}

function need(v: string | undefined, what: string): string {
  if (v === undefined) throw new ConfigError("ERR_USAGE", `missing <${what}>\n${USAGE}`, { field: what });
  return v;
}

function parseArgsOf(argv: readonly string[]): Args {
  const pos: string[] = [];
  let json = false;
  let table: string | undefined;
  let quote: string | undefined;
  let noPatch = false;
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--json") json = true;
    else if (a === "--no-patch") noPatch = true;
    else if (VALUE_OPTIONS.includes(a)) opts[a] = need(argv[++i], a.slice(2));
    else if (a === "--table") table = need(argv[++i], "ccel-table");
    else if (a === "--quote") quote = need(argv[++i], "quote");
    else if (a.startsWith("--") && a.length > 2)
      throw new ConfigError("ERR_USAGE", `unknown option ${a}\n${USAGE}`, { field: a });
    else pos.push(a);
  }
  return { pos, json, opts, noPatch, ...(table ? { table } : {}), ...(quote ? { quote } : {}) };
}

export async function run(ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = ctx.argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    ctx.stdout(USAGE);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  const args = parseArgsOf(rest);
  if (sub === "show") return show(ctx, args);
  if (sub === "replay") return replay(ctx, args);
  if (sub === "diff") return diff(ctx, args);
  if (sub === "whatif") return whatif(ctx, args);
  throw new ConfigError("ERR_USAGE", `unknown eventlog subcommand '${sub}'\n${USAGE}`, {
    field: "subcommand",
  });
}
