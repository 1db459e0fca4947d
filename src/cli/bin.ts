#!/usr/bin/env node
// The `tdx-attest` executable: all logic is in main.ts, which has no side effects.
import { main } from "./main.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`tdx-attest: internal error: ${String(e)}\n`);
    process.exitCode = 70;
  },
);
