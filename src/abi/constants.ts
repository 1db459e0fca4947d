/**
 * DCAP quote constants: versions, TEE types, attestation key types, body types and sizes, and
 * certification data types (tdx-reference.md §13). Kept as tables so parsers, encoders and views
 * share one spelling.
 */

export const QUOTE_HEADER_SIZE = 48;
export const SGX_REPORT_BODY_SIZE = 384;
export const TD10_REPORT_BODY_SIZE = 584;
export const TD15_REPORT_BODY_SIZE = 648;
/** v5 body descriptor: u16 body type + u32 body size (§13.3). */
export const BODY_DESCRIPTOR_SIZE = 6;
export const ECDSA_SIGNATURE_SIZE = 64;
export const ECDSA_PUBLIC_KEY_SIZE = 64;

export const QUOTE_VERSION = { SGX_V3: 3, TDX_V4: 4, V5: 5 } as const;
export const SUPPORTED_QUOTE_VERSIONS: readonly number[] = [3, 4, 5];

/** Header TEE type (§13.1). */
export const TEE_TYPE = { SGX: 0x00000000, TDX: 0x00000081 } as const;

/** Header attestation key type; only ECDSA-256-with-P-256 is supported (§13.1). */
export const ATTESTATION_KEY_TYPE = { ECDSA_P256: 2, ECDSA_P384: 3 } as const;

/** v5 body descriptor types (§13.3). */
export const BODY_TYPE = { SGX: 1, TD10: 2, TD15: 3 } as const;

/** Body size by v5 body type. */
export const BODY_SIZE_BY_TYPE: Readonly<Record<number, number>> = {
  1: SGX_REPORT_BODY_SIZE,
  2: TD10_REPORT_BODY_SIZE,
  3: TD15_REPORT_BODY_SIZE,
};

/** Certification data types (`sgx_ql_cert_key_type_t`, §13.5). */
export const CERT_DATA_TYPE = {
  PPID_CLEARTEXT: 1,
  PPID_RSA2048_ENCRYPTED: 2,
  PPID_RSA3072_ENCRYPTED: 3,
  PCK_CLEARTEXT: 4,
  PCK_CERT_CHAIN: 5,
  QE_REPORT_CERTIFICATION_DATA: 6,
  PLATFORM_MANIFEST: 7,
} as const;

export const CERT_DATA_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: "PPID_CLEARTEXT",
  2: "PPID_RSA2048_ENCRYPTED",
  3: "PPID_RSA3072_ENCRYPTED",
  4: "PCK_CLEARTEXT",
  5: "PCK_CERT_CHAIN",
  6: "QE_REPORT_CERTIFICATION_DATA",
  7: "PLATFORM_MANIFEST",
};

/** Intel's QE vendor ID, UUID 939a7233-f79c-4ca9-940a-0db3957f0607, in quote byte order (§13.1). */
export const INTEL_QE_VENDOR_ID = Uint8Array.from([
  0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07,
]);

/**
 * "Intel" for Intel's QE vendor ID, else "unknown QE vendor": quotes from other QE vendors decode
 * the same way, but nothing here vouches for their QE (DCAP verification requires Intel's).
 */
export function qeVendorName(id: Uint8Array): string {
  if (id.length !== INTEL_QE_VENDOR_ID.length) return "unknown QE vendor";
  for (let i = 0; i < id.length; i++) if (id[i] !== INTEL_QE_VENDOR_ID[i]) return "unknown QE vendor";
  return "Intel";
}

/** Quote offsets for v4 (§13.2); add BODY_DESCRIPTOR_SIZE after the header for v5. */
export const QUOTE_V4_LAYOUT = {
  header: { offset: 0, size: QUOTE_HEADER_SIZE },
  body: { offset: 48, size: TD10_REPORT_BODY_SIZE },
  signatureDataLength: { offset: 632, size: 4 },
  signatureData: { offset: 636 },
} as const;

/** Header offsets (§13.1). */
export const QUOTE_HEADER_LAYOUT = {
  version: { offset: 0, size: 2 },
  attestationKeyType: { offset: 2, size: 2 },
  teeType: { offset: 4, size: 4 },
  qeSvn: { offset: 8, size: 2 },
  pceSvn: { offset: 10, size: 2 },
  qeVendorId: { offset: 12, size: 16 },
  userData: { offset: 28, size: 20 },
} as const;

/** TD report body offsets relative to the body start (§13.4). */
export const TD_QUOTE_BODY_LAYOUT = {
  teeTcbSvn: { offset: 0, size: 16 },
  mrSeam: { offset: 16, size: 48 },
  mrSignerSeam: { offset: 64, size: 48 },
  seamAttributes: { offset: 112, size: 8 },
  tdAttributes: { offset: 120, size: 8 },
  xfam: { offset: 128, size: 8 },
  mrTd: { offset: 136, size: 48 },
  mrConfigId: { offset: 184, size: 48 },
  mrOwner: { offset: 232, size: 48 },
  mrOwnerConfig: { offset: 280, size: 48 },
  rtmr: { offset: 328, size: 4 * 48 },
  reportData: { offset: 520, size: 64 },
  teeTcbSvn2: { offset: 584, size: 16 },
  mrServiceTd: { offset: 600, size: 48 },
} as const;

/** SGX enclave report body offsets (§13.4), also the QE report layout. */
export const SGX_REPORT_BODY_LAYOUT = {
  cpuSvn: { offset: 0, size: 16 },
  miscSelect: { offset: 16, size: 4 },
  reserved1: { offset: 20, size: 12 },
  isvExtProdId: { offset: 32, size: 16 },
  attributes: { offset: 48, size: 16 },
  mrEnclave: { offset: 64, size: 32 },
  reserved2: { offset: 96, size: 32 },
  mrSigner: { offset: 128, size: 32 },
  reserved3: { offset: 160, size: 32 },
  configId: { offset: 192, size: 64 },
  isvProdId: { offset: 256, size: 2 },
  isvSvn: { offset: 258, size: 2 },
  configSvn: { offset: 260, size: 2 },
  reserved4: { offset: 262, size: 42 },
  isvFamilyId: { offset: 304, size: 16 },
  reportData: { offset: 320, size: 64 },
} as const;
