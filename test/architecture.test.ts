/**
 * Keeps the layering of style.md section 2: imports point one way (cli -> appraise -> dcap -> abi,
 * measure -> vmm -> module -> abi, everything -> crypto/errors/bytes), and the core stays
 * runtime-agnostic (no node: imports, Buffer or process outside the Node-only edges).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoPath } from "./support/fixtures.js";

const SRC = repoPath("src");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Layer of a source file: its first folder under src/, or the file name for top-level files. */
function layer(file: string): string {
  const rel = relative(SRC, file).replaceAll("\\", "/");
  const i = rel.indexOf("/");
  return i < 0 ? rel.replace(/\.(ts|js)$/, "") : rel.slice(0, i);
}

/** Which layers each layer may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  bytes: ["errors"],
  crypto: ["errors", "bytes"],
  abi: ["errors", "bytes"],
  module: ["abi", "crypto", "errors", "bytes"],
  firmware: ["abi", "crypto", "errors", "bytes"],
  eventlog: ["abi", "crypto", "errors", "bytes", "firmware"],
  vmm: ["module", "firmware", "abi", "crypto", "errors", "bytes"],
  measure: ["vmm", "module", "firmware", "eventlog", "abi", "crypto", "errors", "bytes"],
  dcap: ["abi", "crypto", "errors", "bytes"],
  sim: ["measure", "vmm", "module", "firmware", "eventlog", "dcap", "abi", "crypto", "errors", "bytes"],
  reference: ["measure", "abi", "crypto", "errors", "bytes"],
  appraise: ["reference", "dcap", "eventlog", "measure", "abi", "crypto", "errors", "bytes"],
};
/** The public barrel may re-export every browser-safe layer. */
ALLOWED["index"] = Object.keys(ALLOWED);

/** Node-only edges: may use node: modules, Buffer and process. */
const NODE_ONLY = (rel: string) =>
  rel.startsWith("cli/") ||
  rel === "node.ts" ||
  rel === "crypto/node.ts" ||
  rel === "crypto/node-parallel.ts";

const files = walk(SRC);

function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2]) as string);
  return out;
}

describe("architecture", () => {
  it("found the sources", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  for (const file of files) {
    const rel = relative(SRC, file).replaceAll("\\", "/");
    const text = readFileSync(file, "utf8");
    if (NODE_ONLY(rel) || layer(file) === "cli") continue;

    it(`${rel} is runtime-agnostic`, () => {
      const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
      const valueImports = importsOf(code.replace(/import\s+type\s[^;]*;/g, ""));
      expect(valueImports.filter((s) => s.startsWith("node:") || s === "fs" || s === "path")).toEqual([]);
      expect(/\bBuffer\./.test(code), "uses Buffer").toBe(false);
      expect(/\bprocess\./.test(code), "uses process").toBe(false);
    });

    it(`${rel} imports only lower layers`, () => {
      const from = layer(file);
      const allowed = ALLOWED[from];
      expect(allowed, `unknown layer '${from}': add it to ALLOWED`).toBeDefined();
      const bad = importsOf(text)
        .filter((s) => s.startsWith("."))
        .map((s) => layer(join(file, "..", s)))
        .filter((l) => l !== from && !(allowed ?? []).includes(l));
      expect(bad).toEqual([]);
    });
  }
});
