/**
 * `tdx-attest quote show <file|-> [--json] [--format auto|binary|hex|base64]`: decode a DCAP
 * quote (v3/v4/v5) and print every header/body field with its ABI name, or one JSON object.
 * Decoding only: signatures are checked by `quote verify` (another command).
 */
import { quoteToJson } from "../abi/json.js";
import { parseQuote } from "../abi/quote.js";
import { type CertDescriber, quoteToText } from "../abi/text.js";
import { parseCertificate } from "../dcap/x509.js";
import { ConfigError, TdxError } from "../errors.js";
import { type CommandContext, EXIT, parseFormat, parseOptions, readInput, toJson } from "./common.js";

export const QUOTE_USAGE = `usage: tdx-attest quote show <file|-> [--json] [--format auto|binary|hex|base64]

Decodes a DCAP quote (v3 SGX, v4 TDX, v5) given as raw bytes, hex text or base64 text
(auto-detected unless --format says otherwise) and prints every field with its ABI name.
Bytes after the signature data (zero padding of fixed-size buffers) are reported, not rejected.

options:
  --json            one JSON object: {"ok":true,"version":4,"teeType":"tdx","body":{...},...}
  --format <fmt>    input encoding: auto (default), binary, hex or base64
  -h, --help        this text
`;

/** Subject CN of a certificate for the human view; never throws (decoding only). */
export const describeCertificate: CertDescriber = (der) => {
  try {
    const c = parseCertificate(der);
    return `CN=${c.subjectCn ?? "?"} (issuer CN=${c.issuerCn ?? "?"})`;
  } catch (e) {
    return e instanceof TdxError ? `not a parsable certificate (${e.code})` : "not a parsable certificate";
  }
};

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(ctx.argv, {
    json: { type: "boolean" },
    format: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values["help"]) {
    ctx.stdout(QUOTE_USAGE);
    return EXIT.ok;
  }
  const [sub, file, ...extra] = positionals;
  if (sub !== "show" || file === undefined || extra.length > 0) {
    throw new ConfigError("ERR_USAGE", `expected 'quote show <file|->' (see --help)`, { field: "argv" });
  }
  const bytes = readInput(ctx, file, parseFormat(values["format"]), "quote");
  const q = parseQuote(bytes);
  if (values["json"]) ctx.stdout(`${toJson({ ok: true, ...quoteToJson(q) })}\n`);
  else ctx.stdout(quoteToText(q, describeCertificate));
  return EXIT.ok;
}
