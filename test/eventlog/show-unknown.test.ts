/**
 * `eventlog show` stays one readable line per event for events the decoders do not know: long
 * text with newlines, big EV_NO_ACTION payloads, unknown types with binary data.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { asciiBytes, concatBytes } from "../../src/bytes.js";
import { main } from "../../src/cli/main.js";
import { encodeTcg2Log } from "../../src/eventlog/encode.js";
import { EV, TPM_ALG } from "../../src/eventlog/types.js";

function ev(seq: number, mrIndex: number, eventType: number, data: Uint8Array) {
  return {
    seq,
    offset: 0,
    mrIndex,
    eventType,
    digests: [{ algorithmId: TPM_ALG.SHA384, digest: new Uint8Array(48) }],
    data,
  };
}

describe("eventlog show on unknown events", () => {
  it("prints exactly one line of bounded length per event", async () => {
    const events = [
      ev(0, 2, 0x1234, asciiBytes(`line one\nline two\r\n\x1b[31mred${"x".repeat(500)}`)),
      ev(1, 0, EV.NO_ACTION, concatBytes(asciiBytes("SP800-155 Event3"), new Uint8Array(2000).fill(0xab))),
      ev(
        2,
        3,
        0x80000099,
        Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff),
      ),
      ev(3, 2, EV.PLATFORM_CONFIG_FLAGS, asciiBytes("QEMU FW CFG\0etc/evil\nname")),
    ];
    const dir = mkdtempSync(join(tmpdir(), "show-unknown-"));
    const file = join(dir, "log.bin");
    writeFileSync(file, encodeTcg2Log(events));
    let out = "";
    const code = await main(["eventlog", "show", file], {
      stdout: (s) => {
        out += s;
      },
      stderr: () => {},
      readStdin: () => new Uint8Array(0),
    });
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(1 + events.length);
    for (const l of lines.slice(1)) {
      expect(l).toMatch(/^#\d/);
      expect(l.length).toBeLessThan(300);
      expect(l.includes("\u001b") || l.includes("\r")).toBe(false);
    }
  });
});
