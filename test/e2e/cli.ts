/** Spawns the built CLI (`node dist/cli/bin.js`); `npm run build` must have run (CI does). */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { repoPath } from "../support/fixtures.js";

const BIN = repoPath("dist/cli/bin.js");

export function cli(args: readonly string[]): { code: number | null; out: string; err: string } {
  if (!existsSync(BIN)) throw new Error(`${BIN} missing: run 'npm run build' before the end-to-end tests`);
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
