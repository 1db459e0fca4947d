/**
 * `tdx-attest demo` (what `npm start` runs): decodes and prints the bundled synthetic sample
 * quote, fixtures/sample-quote-v4.dat (made by scripts/make-sample-quote.mjs with throwaway keys,
 * see fixtures/README.md). A later issue replaces this with the end-to-end demo.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { quoteToJson } from "../abi/json.js";
import { parseQuote } from "../abi/quote.js";
import { quoteToText } from "../abi/text.js";
import { ConfigError } from "../errors.js";
import { type CommandContext, EXIT, parseOptions, toJson } from "./common.js";
import { describeCertificate } from "./quote.js";

/** Works from src/cli (tests) and dist/cli (installed package): both sit two levels below the root. */
export const SAMPLE_QUOTE_URL = new URL("../../fixtures/sample-quote-v4.dat", import.meta.url);

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseOptions(
    ctx.argv,
    { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    false,
  );
  if (values["help"]) {
    ctx.stdout("usage: tdx-attest demo [--json]\n\nDecodes and prints the bundled sample quote.\n");
    return EXIT.ok;
  }
  const path = fileURLToPath(SAMPLE_QUOTE_URL);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch {
    throw new ConfigError("ERR_IO", `cannot read the bundled sample quote ${path}`, { field: path });
  }
  const q = parseQuote(bytes);
  if (values["json"]) {
    ctx.stdout(`${toJson({ ok: true, sample: path, quote: quoteToJson(q) })}\n`);
    return EXIT.ok;
  }
  ctx.stdout(
    `tdx-attest demo: decoding the bundled sample quote ${path}\n` +
      "(synthetic TDX quote v4 made by this project with throwaway test keys; not an Intel quote)\n\n",
  );
  ctx.stdout(quoteToText(q, describeCertificate));
  return EXIT.ok;
}
