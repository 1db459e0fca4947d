/**
 * The one reader of the shared real-world fixtures (../shared/fixtures, see its MANIFEST.md).
 *
 * The folder is found through TDX_ATTEST_FIXTURES or, by default, `../shared/fixtures` next to
 * the repository. A missing file is an error, never a skip: CI has the folder, so a missing
 * fixture means a broken setup and must fail the run. These files come from other public
 * projects and are never copied into this repository.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function fixturesDir(): string {
  const fromEnv = process.env["TDX_ATTEST_FIXTURES"];
  return fromEnv ? resolve(fromEnv) : resolve(repoRoot, "..", "shared", "fixtures");
}

/** Absolute path of a shared fixture; throws if it does not exist. */
export function fixturePath(relative: string): string {
  const p = join(fixturesDir(), relative);
  if (!existsSync(p)) {
    throw new Error(
      `missing shared fixture ${relative} (looked in ${fixturesDir()}; set TDX_ATTEST_FIXTURES to the folder)`,
    );
  }
  return p;
}

/** Bytes of a shared fixture as a plain Uint8Array (not a Buffer). */
export function fixture(relative: string): Uint8Array {
  const b = readFileSync(fixturePath(relative));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function fixtureText(relative: string): string {
  return readFileSync(fixturePath(relative), "utf8");
}

/** Path of a file in this repository (e.g. our own synthetic fixtures under fixtures/). */
export function repoPath(relative: string): string {
  return join(repoRoot, relative);
}
