/**
 * `tdx-attest report show <file|-> [--json] [--format ...]`: decode a 1024-byte TDREPORT_STRUCT
 * (tdx-reference.md §7.3) and print its fields with ABI names, or one JSON object.
 */
import { tdReportToJson } from "../abi/json.js";
import { parseTdReport } from "../abi/td-report.js";
import { tdReportToText } from "../abi/text.js";
import { type CommandContext, EXIT, parseShowArgs, readInput, toJson } from "./common.js";

export const REPORT_USAGE = `usage: tdx-attest report show <file|-> [--json] [--format auto|binary|hex|base64]

Decodes a 1024-byte TDREPORT_STRUCT (REPORTMACSTRUCT, TEE_TCB_INFO, TDINFO; TDX 1.0 and 1.5)
given as raw bytes, hex text or base64 text. Non-zero reserved areas are reported.

options:
  --json            one JSON object: {"ok":true,"reportMac":{...},"teeTcbInfo":{...},"tdInfo":{...}}
  --format <fmt>    input encoding: auto (default), binary, hex or base64
  -h, --help        this text
`;

export async function run(ctx: CommandContext): Promise<number> {
  const args = parseShowArgs(ctx, "report", REPORT_USAGE);
  if (!args) return EXIT.ok;
  const r = parseTdReport(readInput(ctx, args.file, args.format, "tdreport"));
  if (args.json) ctx.stdout(`${toJson({ ok: true, ...tdReportToJson(r) })}\n`);
  else ctx.stdout(tdReportToText(r));
  return EXIT.ok;
}
