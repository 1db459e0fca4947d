import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import type { CommandContext } from "../../src/cli/common.js";
import { filePages, payloadSource } from "../../src/cli/measure-file.js";
import { measureLaunch } from "../../src/measure/launch.js";

const ctx: CommandContext = {
  argv: [],
  stdout: () => {},
  stderr: () => {},
  readStdin: () => new Uint8Array(),
  isTTY: false,
};

describe("streamed payload files (measure --payload on large files)", () => {
  const dir = mkdtempSync(join(tmpdir(), "tdx-measure-file-"));
  // 1 MiB + 2 pages + 5 bytes: crosses a 1 MiB block and ends in a short page.
  const bytes = Uint8Array.from({ length: (1 << 20) + 8192 + 5 }, (_, i) => (i * 7 + (i >>> 12)) & 0xff);
  const file = join(dir, "payload.bin");
  writeFileSync(file, bytes);

  it("a file page provider gives the MRTD of the bytes read whole, in both page orders", () => {
    for (const qemuVersion of ["9.0", "8.2"]) {
      const whole = measureLaunch({ qemuVersion, payloads: [{ gpa: 0x100000, data: bytes }] });
      const streamed = measureLaunch({
        qemuVersion,
        payloads: [{ gpa: 0x100000, data: filePages(file, bytes.length) }],
      });
      expect(toHex(streamed.mrTd)).toBe(toHex(whole.mrTd));
      expect(streamed.stats.pagesAdded).toBe(259);
    }
  });

  it("serves exact pages and zero-fills past the end", () => {
    const p = filePages(file, bytes.length);
    const out = new Uint8Array(4096);
    p.readPage(256 * 4096, out);
    expect(toHex(out)).toBe(toHex(bytes.subarray(1 << 20, (1 << 20) + 4096)));
    p.readPage(258 * 4096, out);
    expect(toHex(out.subarray(0, 5))).toBe(toHex(bytes.subarray(258 * 4096)));
    expect(out.subarray(5).every((b) => b === 0)).toBe(true);
  });

  it("streams only at or above the threshold; a missing file is ERR_IO", () => {
    expect(payloadSource(ctx, file) instanceof Uint8Array).toBe(true);
    expect(payloadSource(ctx, file, 1024) instanceof Uint8Array).toBe(false);
    expect(() => payloadSource(ctx, join(dir, "missing.bin"))).toThrow(/ERR_IO|cannot read/);
    const gone = filePages(join(dir, "missing.bin"), 8192);
    expect(() => gone.readPage(0, new Uint8Array(4096))).toThrow(/cannot read/);
  });
});
