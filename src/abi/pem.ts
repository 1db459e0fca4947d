/**
 * PEM certificate chains as carried by certification data type 5 (tdx-reference.md §13.5): the
 * text is `-----BEGIN CERTIFICATE-----` blocks, leaf first, often followed by NUL padding. Only
 * whitespace may appear between blocks; anything else is ERR_BAD_PEM (a quote that smuggles text
 * into its chain is malformed, not "mostly fine").
 */
import { toBase64 } from "../bytes.js";
import { hexOffset, ParseError } from "../errors.js";

const BEGIN = "-----BEGIN CERTIFICATE-----";
const END = "-----END CERTIFICATE-----";

function bad(field: string, offset: number, why: string): never {
  throw new ParseError("ERR_BAD_PEM", `${field}: ${why} at ${hexOffset(offset)}`, { field, offset });
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Number of NUL bytes at the end of `pem` (padding, ignored by the decoder). */
export function trailingNulCount(pem: Uint8Array): number {
  let n = 0;
  while (n < pem.length && pem[pem.length - 1 - n] === 0) n++;
  return n;
}

const BEGIN_BYTES = Uint8Array.from(BEGIN, (c) => c.charCodeAt(0));
const END_BYTES = Uint8Array.from(END, (c) => c.charCodeAt(0));
const B64_VALUE = (() => {
  const t = new Int8Array(256).fill(-1);
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < 64; i++) t[abc.charCodeAt(i)] = i;
  return t;
})();

function matchAt(b: Uint8Array, at: number, m: Uint8Array, limit: number): boolean {
  if (at + m.length > limit) return false;
  for (let i = 0; i < m.length; i++) if (b[at + i] !== m[i]) return false;
  return true;
}

function findEnd(b: Uint8Array, from: number, limit: number): number {
  for (let i = b.indexOf(0x2d, from); i >= 0 && i < limit; i = b.indexOf(0x2d, i + 1)) {
    if (matchAt(b, i, END_BYTES, limit)) return i;
  }
  return -1;
}

/** Standard base64 of `b[from, to)`, whitespace ignored, '=' padding only at the end. */
function decodeBase64Block(b: Uint8Array, from: number, to: number, field: string, base: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(((to - from) * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  let pad = 0;
  for (let i = from; i < to; i++) {
    const c = b[i] as number;
    if (isWs(c)) continue;
    if (c === 0x3d) {
      pad++;
      continue;
    }
    const v = B64_VALUE[c] as number;
    if (v < 0 || pad > 0) bad(field, base + i, `invalid base64 character 0x${c.toString(16)}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if (pad > 2 || bits >= 6) bad(field, base + from, "base64 length is impossible");
  return out.slice(0, o);
}

/**
 * Decodes every certificate of a PEM chain to DER, in order. `base` is the absolute offset of
 * `pem[0]` and `field` its name, both for error messages. Works on the bytes directly (no string
 * building): this runs for every decoded quote.
 */
export function parsePemCertificates(pem: Uint8Array, field = "pem", base = 0): Uint8Array[] {
  const end = pem.length - trailingNulCount(pem);
  for (let i = 0; i < end; i++) {
    const c = pem[i] as number;
    if ((c < 0x20 && !isWs(c)) || c > 0x7e) bad(field, base + i, `byte 0x${c.toString(16)} is not PEM text`);
  }
  const certs: Uint8Array[] = [];
  let pos = 0;
  for (;;) {
    while (pos < end && isWs(pem[pos] as number)) pos++;
    if (pos >= end) break;
    if (!matchAt(pem, pos, BEGIN_BYTES, end)) bad(field, base + pos, `expected '${BEGIN}'`);
    const bodyStart = pos + BEGIN_BYTES.length;
    const stop = findEnd(pem, bodyStart, end);
    if (stop < 0) bad(field, base + pos, `certificate ${certs.length} has no '${END}'`);
    const der = decodeBase64Block(pem, bodyStart, stop, field, base);
    if (der.length === 0) bad(field, base + bodyStart, `certificate ${certs.length} is empty`);
    certs.push(der);
    pos = stop + END_BYTES.length;
  }
  if (certs.length === 0) bad(field, base, "no certificate found");
  return certs;
}

/** One PEM block (64-character lines, "\n" line ends) of DER bytes, e.g. label "CERTIFICATE". */
export function encodePem(der: Uint8Array, label: string): string {
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** PEM text of DER certificates, leaf first. */
export function encodePemCertificates(ders: readonly Uint8Array[]): string {
  return ders.map((der) => encodePem(der, "CERTIFICATE")).join("");
}
