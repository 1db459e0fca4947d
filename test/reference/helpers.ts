/** Test helpers: random ECDSA keys as PEM (WebCrypto) and a sample reference set. */
import { toBase64 } from "../../src/bytes.js";
import type { ReferenceValueSet } from "../../src/reference/types.js";

function pem(label: string, der: ArrayBuffer): string {
  const b64 = toBase64(new Uint8Array(der)).replace(/(.{64})/g, "$1\n");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export async function ecKeyPair(
  curve: "P-256" | "P-384",
): Promise<{ privatePem: string; publicPem: string }> {
  const kp = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: curve }, true, ["sign", "verify"]);
  return {
    privatePem: pem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", kp.privateKey)),
    publicPem: pem("PUBLIC KEY", await crypto.subtle.exportKey("spki", kp.publicKey)),
  };
}

export function filled(byte: number, n = 48): Uint8Array {
  return new Uint8Array(n).fill(byte);
}

export function sampleSet(name = "vcpus-4", seed = 1): ReferenceValueSet {
  return {
    name,
    mrTd: filled(seed),
    rtmr0: filled(seed + 1),
    rtmr1: filled(seed + 2),
    rtmr2: filled(seed + 3),
    tdAttributes: 0x10000000n,
    xfam: 0x61ae7n,
    mrConfigId: filled(0),
    mrOwner: filled(0),
    mrOwnerConfig: filled(0),
    maxVcpus: 4,
    launchConfig: {
      config: { firmware: "OVMF.fd", maxVcpus: 4, memory: "2G", vcpus: 2 },
      inputs: [{ name: "firmware", path: "OVMF.fd", sha384: filled(0xaa) }],
    },
    toolVersion: "tdx-attest 0.1.0",
    events: [{ rtmr: 0, type: 0x8000000a, digest: filled(0x33), label: "TD HOB" }],
  };
}
