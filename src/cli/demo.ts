import type { CommandContext } from "./common.js";

// Placeholder until the 'demo' command lands (issue work in progress).
export async function run(ctx: CommandContext): Promise<number> {
  ctx.stderr("tdx-attest: ERR_USAGE: 'demo' is not available in this build\n");
  return 2;
}
