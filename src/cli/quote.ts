/**
 * `tdx-attest quote show <file|-> [--json] [--format auto|binary|hex|base64]`: decode a DCAP
 * quote (v3/v4/v5) and print every header/body field with its ABI name, or one JSON object.
 * Decoding only: signatures are checked by `quote verify` (another command).
 */
import { quoteToJson } from "../abi/json.js";
import { parseQuote } from "../abi/quote.js";
import { type CertDescriber, quoteToText } from "../abi/text.js";
import { parseCertificate } from "../dcap/x509.js";
import { ParseError, TdxError } from "../errors.js";
import { looksLikeDstackJson } from "../eventlog/dstack-json.js";
import {
  type CommandContext,
  decodeInput,
  EXIT,
  type InputFormat,
  parseShowArgs,
  readRaw,
  toJson,
} from "./common.js";

export const QUOTE_USAGE = `usage: tdx-attest quote show <file|-> [--json] [--format auto|binary|hex|base64]

Decodes a DCAP quote (v3 SGX, v4 TDX, v5) given as raw bytes, hex text or base64 text
(auto-detected unless --format says otherwise) and prints every field with its ABI name.
A JSON object with a "quote" field (dstack GetQuote response, Trustee evidence) is accepted too.
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

/**
 * A quote inside a JSON object (dstack GetQuote responses, Trustee TDX evidence): the `quote`
 * field as hex or base64. Undefined when the input is not such a JSON object.
 */
export function quoteFromJson(raw: Uint8Array, format: InputFormat): Uint8Array | undefined {
  if (format !== "auto" || !looksLikeDstackJson(raw)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const quote = (v as Record<string, unknown>)["quote"];
  if (typeof quote !== "string")
    throw new ParseError("ERR_BAD_JSON", "quote: the JSON input has no string field 'quote'", {
      field: "quote",
    });
  return decodeInput(new TextEncoder().encode(quote), "auto", "quote");
}

export async function run(ctx: CommandContext): Promise<number> {
  const args = parseShowArgs(ctx, "quote", QUOTE_USAGE);
  if (!args) return EXIT.ok;
  const raw = readRaw(ctx, args.file);
  const q = parseQuote(quoteFromJson(raw, args.format) ?? decodeInput(raw, args.format, "quote"));
  if (args.json) ctx.stdout(`${toJson({ ok: true, ...quoteToJson(q) })}\n`);
  else ctx.stdout(quoteToText(q, describeCertificate));
  return EXIT.ok;
}
