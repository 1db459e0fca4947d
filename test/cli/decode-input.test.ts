/**
 * CLI input auto-detection (src/cli/common.ts decodeInput): hex with 0x / uppercase / line
 * breaks, base64 with line breaks, a BOM, and binary data that starts with printable bytes.
 */
import { describe, expect, it } from "vitest";
import { toBase64, toHex, utf8 } from "../../src/bytes.js";
import { decodeInput } from "../../src/cli/common.js";
import { fixture } from "../support/fixtures.js";

const quote = fixture("quotes/gcp-v4.dat");

function lines(s: string, n: number, eol = "\n"): string {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += n) out.push(s.slice(i, i + n));
  return out.join(eol);
}

describe("decodeInput auto-detection", () => {
  const hex = toHex(quote);
  it("hex: plain, 0x prefix, uppercase, xxd -p line breaks, CRLF, BOM", () => {
    for (const text of [
      hex,
      `0x${hex}`,
      hex.toUpperCase(),
      lines(hex, 60),
      `${lines(hex, 64, "\r\n")}\r\n`,
      `  ${lines(hex, 32)}  \n\n`,
    ]) {
      expect(decodeInput(utf8(text), "auto", "quote")).toEqual(quote);
      expect(decodeInput(utf8(text), "hex", "quote")).toEqual(quote);
    }
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(hex)]);
    expect(decodeInput(bom, "auto", "quote")).toEqual(quote);
  });

  it("base64 with 64- and 76-character lines", () => {
    const b64 = toBase64(quote);
    for (const text of [b64, lines(b64, 64), `${lines(b64, 76, "\r\n")}\r\n`]) {
      expect(decodeInput(utf8(text), "auto", "quote")).toEqual(quote);
    }
  });

  it("binary whose first 4 KiB are printable stays binary", () => {
    const b = new Uint8Array(6000).fill(0x41);
    b[5000] = 0x00;
    expect(decodeInput(b, "auto", "x")).toBe(b);
    expect(decodeInput(quote, "auto", "quote")).toBe(quote);
  });
});
