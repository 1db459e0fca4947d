/**
 * `tdx-attest reference show|convert|combine|binding`: tools for golden-measurement builders.
 *   show <file> [--reference-key pub.pem] [--json]       print the sets of a reference file
 *   convert <file> --out F [--format json|cbor] [--sign key.pem] [--reference-key pub.pem]
 *                                                         JSON <-> deterministic CBOR, signing
 *   combine <file>... --out F [--format ...] [--sign ...] merge sets of several files
 *   binding <launch.json>                                 MRCONFIGID for --mrconfigid-binding
 * Reading accepts JSON, CBOR and COSE_Sign1 (a signed input needs --reference-key).
 */
import { toHex, u64le } from "../bytes.js";
import { ConfigError } from "../errors.js";
import { loadReferenceValues } from "../reference/build.js";
import { combineReferenceValues, referenceValuesToJsonValue } from "../reference/codec.js";
import { HASH_FIELDS, type ReferenceValues } from "../reference/types.js";
import { bindMrConfigId, writeGoldenFile } from "./appraise-golden.js";
import { type CommandContext, EXIT, parseOptions, readRaw, toJson } from "./common.js";

const USAGE = `usage: tdx-attest reference show <file> [--reference-key pub.pem] [--json]
       tdx-attest reference convert <file> --out <file> [--format json|cbor] [--sign key.pem] [--reference-key pub.pem]
       tdx-attest reference combine <file>... --out <file> [--format json|cbor] [--sign key.pem]
       tdx-attest reference binding <launch.json>

Reference files are JSON, deterministic CBOR, or COSE_Sign1-signed CBOR (ES256/ES384).
--sign takes a PKCS#8 PEM private key and always writes CBOR. See docs/appraise.md.
`;

const OPTIONS = {
  out: { type: "string" },
  format: { type: "string" },
  sign: { type: "string" },
  "reference-key": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

async function load(ctx: CommandContext, file: string, keyFile: unknown): Promise<ReferenceValues> {
  const key = typeof keyFile === "string" ? new TextDecoder().decode(readRaw(ctx, keyFile)) : undefined;
  return (await loadReferenceValues(readRaw(ctx, file), key ? { publicKey: key } : {})).values;
}

function showText(rv: ReferenceValues): string {
  const lines: string[] = [];
  for (const s of rv.sets) {
    lines.push(`set "${s.name}"${s.toolVersion ? ` (${s.toolVersion})` : ""}`);
    for (const k of HASH_FIELDS) {
      const v = s[k];
      if (v) lines.push(`  ${k.padEnd(14)}${toHex(v)}`);
    }
    if (s.tdAttributes !== undefined)
      lines.push(`  ${"tdAttributes".padEnd(14)}${toHex(u64le(s.tdAttributes))}`);
    if (s.xfam !== undefined) lines.push(`  ${"xfam".padEnd(14)}${toHex(u64le(s.xfam))}`);
    if (s.maxVcpus !== undefined) lines.push(`  ${"maxVcpus".padEnd(14)}${s.maxVcpus}`);
    for (const f of s.launchConfig?.inputs ?? [])
      lines.push(`  input ${f.name}: ${f.path ?? ""} sha384 ${toHex(f.sha384)}`);
    if (s.events) lines.push(`  ${s.events.length} reference events`);
  }
  return `${lines.join("\n")}\n`;
}

function need(v: unknown, what: string): string {
  if (typeof v !== "string") throw new ConfigError("ERR_USAGE", `missing ${what}\n${USAGE}`, { field: what });
  return v;
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parseOptions(ctx.argv, OPTIONS);
  const [sub, ...files] = positionals;
  if (v["help"] || sub === undefined) {
    ctx.stdout(USAGE);
    return sub === undefined && !v["help"] ? EXIT.usage : EXIT.ok;
  }
  const out = () => ({
    out: need(v["out"], "--out"),
    ...(typeof v["format"] === "string" ? { format: v["format"] } : {}),
    ...(typeof v["sign"] === "string" ? { sign: v["sign"] } : {}),
  });
  switch (sub) {
    case "show": {
      const rv = await load(ctx, need(files[0], "<file>"), v["reference-key"]);
      ctx.stdout(v["json"] ? `${toJson(referenceValuesToJsonValue(rv))}\n` : showText(rv));
      return EXIT.ok;
    }
    case "convert": {
      const rv = await load(ctx, need(files[0], "<file>"), v["reference-key"]);
      await writeGoldenFile(ctx, rv, out());
      return EXIT.ok;
    }
    case "combine": {
      if (files.length === 0) need(undefined, "<file>...");
      const parts = await Promise.all(files.map((f) => load(ctx, f, v["reference-key"])));
      await writeGoldenFile(ctx, combineReferenceValues(parts), out());
      return EXIT.ok;
    }
    case "binding": {
      const text = new TextDecoder().decode(readRaw(ctx, need(files[0], "<launch.json>")));
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new ConfigError("ERR_CONFIG", `${files[0]}: not valid JSON (${(e as Error).message})`, {
          field: "config",
        });
      }
      ctx.stdout(`${bindMrConfigId(json as Parameters<typeof bindMrConfigId>[0])}\n`);
      return EXIT.ok;
    }
    default:
      throw new ConfigError("ERR_USAGE", `unknown subcommand '${sub}'\n${USAGE}`, { field: "argv" });
  }
}
