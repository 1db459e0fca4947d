/**
 * Runs the CLI in-process (`main` from src/cli/main.ts) and captures what it writes. stdin is
 * empty unless given and isTTY defaults to false, so results never depend on the test runner's
 * terminal.
 */
import { main } from "../../src/cli/main.js";

export interface CliRunOptions {
  /** Bytes `-` reads (default: empty). */
  readonly stdin?: Uint8Array;
  /** Whether stderr counts as a terminal (default false). */
  readonly isTTY?: boolean;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: readonly string[], opts: CliRunOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const stdin = opts.stdin ?? new Uint8Array(0);
  const code = await main(argv, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    readStdin: () => stdin,
    isTTY: opts.isTTY ?? false,
  });
  return { code, stdout, stderr };
}
