/**
 * PEM certificate chains as carried by certification data type 5 (tdx-reference.md §13.5): the
 * text is `-----BEGIN CERTIFICATE-----` blocks, leaf first, often followed by NUL padding. Only
 * whitespace may appear between blocks; anything else is ERR_BAD_PEM (a quote that smuggles text
 * into its chain is malformed, not "mostly fine").
 */
import { fromBase64, toBase64 } from "../bytes.js";
import { hexOffset, ParseError, TdxError } from "../errors.js";

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

/**
 * Decodes every certificate of a PEM chain to DER, in order. `base` is the absolute offset of
 * `pem[0]` and `field` its name, both for error messages.
 */
export function parsePemCertificates(pem: Uint8Array, field = "pem", base = 0): Uint8Array[] {
  const end = pem.length - trailingNulCount(pem);
  let text = "";
  for (let i = 0; i < end; i++) {
    const c = pem[i] as number;
    if (c === 0 || c > 0x7e) bad(field, base + i, `byte 0x${c.toString(16)} is not PEM text`);
    text += String.fromCharCode(c);
  }
  const certs: Uint8Array[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && isWs(text.charCodeAt(pos))) pos++;
    if (pos >= text.length) break;
    if (!text.startsWith(BEGIN, pos)) bad(field, base + pos, `expected '${BEGIN}'`);
    const bodyStart = pos + BEGIN.length;
    const stop = text.indexOf(END, bodyStart);
    if (stop < 0) bad(field, base + pos, `certificate ${certs.length} has no '${END}'`);
    const body = text.slice(bodyStart, stop);
    if (!/^[A-Za-z0-9+/=\s]+$/.test(body))
      bad(field, base + bodyStart, `certificate ${certs.length} is not base64`);
    try {
      const der = fromBase64(body, `${field}[${certs.length}]`);
      if (der.length === 0) bad(field, base + bodyStart, `certificate ${certs.length} is empty`);
      certs.push(der);
    } catch (e) {
      if (e instanceof TdxError && e.code !== "ERR_BAD_PEM") {
        bad(field, base + bodyStart, `certificate ${certs.length} is not base64`);
      }
      throw e;
    }
    pos = stop + END.length;
  }
  if (certs.length === 0) bad(field, base, "no certificate found");
  return certs;
}

/** PEM text (64-character lines, "\n" line ends) of DER certificates, leaf first. */
export function encodePemCertificates(ders: readonly Uint8Array[]): string {
  return ders
    .map((der) => {
      const b64 = toBase64(der);
      const lines: string[] = [];
      for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
      return `${BEGIN}\n${lines.join("\n")}\n${END}\n`;
    })
    .join("");
}
