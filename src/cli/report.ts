/**
 * `tdx-attest report show <file|-> [--json] [--format ...]`: decode a 1024-byte TDREPORT_STRUCT
 * (tdx-reference.md §7.3) and print its fields with ABI names, or one JSON object.
 */
import { tdReportToJson } from "../abi/json.js";
import { parseTdReport } from "../abi/td-report.js";
import { tdReportToText } from "../abi/text.js";
import { ConfigError } from "../errors.js";
import { type CommandContext, EXIT, parseFormat, parseOptions, readInput, toJson } from "./common.js";

export const REPORT_USAGE = `usage: tdx-attest report show <file|-> [--json] [--format auto|binary|hex|base64]

Decodes a 1024-byte TDREPORT_STRUCT (REPORTMACSTRUCT, TEE_TCB_INFO, TDINFO; TDX 1.0 and 1.5)
given as raw bytes, hex text or base64 text. Non-zero reserved areas are reported.

options:
  --json            one JSON object: {"ok":true,"reportMac":{...},"teeTcbInfo":{...},"tdInfo":{...}}
  --format <fmt>    input encoding: auto (default), binary, hex or base64
  -h, --help        this text
`;

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(ctx.argv, {
    json: { type: "boolean" },
    format: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values["help"]) {
    ctx.stdout(REPORT_USAGE);
    return EXIT.ok;
  }
  const [sub, file, ...extra] = positionals;
  if (sub !== "show" || file === undefined || extra.length > 0) {
    throw new ConfigError("ERR_USAGE", `expected 'report show <file|->' (see --help)`, { field: "argv" });
  }
  const r = parseTdReport(readInput(ctx, file, parseFormat(values["format"]), "tdreport"));
  if (values["json"]) ctx.stdout(`${toJson({ ok: true, ...tdReportToJson(r) })}\n`);
  else ctx.stdout(tdReportToText(r));
  return EXIT.ok;
}
