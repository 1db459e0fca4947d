/**
 * `eventlog show` stays one readable line per event for events the decoders do not know: long
 * text with newlines, big EV_NO_ACTION payloads, unknown types with binary data.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { asciiBytes, concatBytes, toBase64, toHex, utf8 } from "../../src/bytes.js";
import { main } from "../../src/cli/main.js";
import { encodeTcg2Log } from "../../src/eventlog/encode.js";
import { EV, TPM_ALG } from "../../src/eventlog/types.js";
import { runCli } from "../support/cli.js";
import { fixture, fixturePath } from "../support/fixtures.js";

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
    const { code, stdout: out } = await runCli(["eventlog", "show", file]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(1 + events.length);
    for (const l of lines.slice(1)) {
      expect(l).toMatch(/^#\d/);
      expect(l.length).toBeLessThan(300);
      expect(l.includes("\u001b") || l.includes("\r")).toBe(false);
    }
  });

  it("reads a log given as base64 or hex text (e.g. Trustee's cc_eventlog) like the binary", async () => {
    const bin = fixture("eventlogs/gtdx-cos113-ccel.bin");
    const dir = mkdtempSync(join(tmpdir(), "show-text-"));
    const outs: string[] = [];
    for (const [name, body] of [
      ["bin", bin],
      ["b64", utf8(toBase64(bin))],
      ["hex", utf8(`${toHex(bin).replace(/(.{64})/g, "$1\n")}\n`)],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, body);
      const { code, stdout: out } = await runCli(["eventlog", "show", file, "--json"]);
      expect(code).toBe(0);
      outs.push(out);
    }
    expect(JSON.parse(outs[0] as string).events.length).toBe(43);
    expect(outs[1]).toBe(outs[0]);
    expect(outs[2]).toBe(outs[0]);
  });

  it("replay --quote takes JSON evidence with a quote field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "replay-json-"));
    const q = join(dir, "evidence.json");
    writeFileSync(q, JSON.stringify({ quote: toBase64(fixture("quotes/gtdx-cos113-v4.dat")) }));
    let out = "";
    const code = await main(
      ["eventlog", "replay", fixturePath("eventlogs/gtdx-cos113-ccel.bin"), "--quote", q, "--json"],
      {
        stdout: (s) => {
          out += s;
        },
        stderr: (s) => {
          out += s;
        },
        readStdin: () => new Uint8Array(0),
      },
    );
    expect(code).toBe(0);
    expect(JSON.parse(out).comparison.match).toBe(true);
  });
});
