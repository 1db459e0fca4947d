/**
 * `npm run bench`: runs each benchmark in its own Node process (so peak-memory figures are not
 * polluted by other benchmarks) and prints their output. Each benchmark is a module under
 * bench/ that reports ratios against a baseline measured in the same process.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const BENCHES = ["mrtd", "dcap"];
const only = process.argv.slice(2);
let failed = 0;
for (const name of BENCHES) {
  if (only.length > 0 && !only.includes(name)) continue;
  const file = join(here, `${name}.js`);
  if (!existsSync(file)) continue;
  process.stdout.write(`\n== ${name} ==\n`);
  const r = spawnSync(process.execPath, ["--expose-gc", file], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
