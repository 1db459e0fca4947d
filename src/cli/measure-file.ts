/**
 * Payload files for `tdx-attest measure`: small files are read whole; large ones become page
 * providers that read the file in 1 MiB blocks on demand, so a 256 MiB payload is measured with
 * a few MiB of memory (issue 3: "stream, do not copy"). The module reads a page when it is
 * measured (reference retention), in address order for both QEMU page orders, so one cached
 * block serves 256 consecutive pages. The file must not change during the measurement.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { ConfigError } from "../errors.js";
import type { PageProvider } from "../vmm/kvm-types.js";
import { type CommandContext, readRaw } from "./common.js";

/** Files at least this large are streamed (smaller ones are simply read). */
export const STREAM_THRESHOLD = 64 * 1024 * 1024;
const BLOCK = 1024 * 1024;
const PAGE = 4096;

function ioError(file: string, e: unknown): never {
  throw new ConfigError(
    "ERR_IO",
    `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    { field: file },
  );
}

/** A page provider over `file` (its size now); a short last page is zero-filled. */
export function filePages(file: string, size: number): PageProvider {
  const block = new Uint8Array(BLOCK);
  let blockAt = -1;
  let blockLen = 0;
  const load = (at: number) => {
    let fd: number | undefined;
    try {
      fd = openSync(file, "r");
      let n = 0;
      const want = Math.min(BLOCK, size - at);
      while (n < want) {
        const r = readSync(fd, block, n, want - n, at + n);
        if (r === 0) break;
        n += r;
      }
      if (n < want) throw new Error(`file shrank below ${size} bytes`);
      blockAt = at;
      blockLen = n;
    } catch (e) {
      ioError(file, e);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
  return {
    byteLength: size,
    readPage(offset, out) {
      const at = offset - (offset % BLOCK);
      if (at !== blockAt) load(at);
      const from = offset - at;
      const n = Math.max(0, Math.min(PAGE, blockLen - from, out.length));
      out.set(block.subarray(from, from + n));
      if (n < out.length) out.fill(0, n);
    },
  };
}

/** The payload bytes of `file`: a Uint8Array, or a streaming provider for large files. */
export function payloadSource(
  ctx: CommandContext,
  file: string,
  threshold = STREAM_THRESHOLD,
): Uint8Array | PageProvider {
  if (file === "-") return readRaw(ctx, file);
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    return ioError(file, e);
  }
  return size >= threshold ? filePages(file, size) : readRaw(ctx, file);
}
