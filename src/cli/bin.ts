#!/usr/bin/env node
// The `tdx-attest` executable: all logic is in main.ts, which has no side effects.
import { main } from "./main.js";

// `tdx-attest quote show q.dat | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`tdx-attest: internal error: ${String(e)}\n`);
    process.exitCode = 70;
  },
);
