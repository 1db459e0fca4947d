/**
 * PEM certificate chains as found in quotes (certification data type 5) and in collateral
 * issuer chains (tdx-reference.md sections 13.5 and 15.1). Only CERTIFICATE / X509 CRL blocks.
 */
import { fromBase64 } from "../bytes.js";
import { ParseError } from "../errors.js";

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** The DER bodies of every `label` block in `text`, in order. Text outside blocks is ignored. */
export function pemBlocks(text: string, label: string, field: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(BLOCK)) {
    if (m[1] !== label) continue;
    const body = m[2] ?? "";
    if (!/^[\sA-Za-z0-9+/=]*$/.test(body)) {
      throw new ParseError("ERR_BAD_PEM", `${field}: ${label} block ${out.length} is not base64`, { field });
    }
    out.push(fromBase64(body, `${field}[${out.length}]`));
  }
  return out;
}

/** Certificates of a PEM chain; at least one is required. */
export function pemCertificates(text: string, field: string): Uint8Array[] {
  const certs = pemBlocks(text, "CERTIFICATE", field);
  if (certs.length === 0)
    throw new ParseError("ERR_BAD_PEM", `${field}: no CERTIFICATE block found`, { field });
  return certs;
}
