/**
 * Decoded forms of the TDX/DCAP binary structures (tdx-reference.md sections 2, 7 and 13).
 *
 * Conventions: u64 flag words (ATTRIBUTES, XFAM, SEAMATTRIBUTES) are `bigint`; integers up to
 * u32 are `number`; hashes and opaque fields are `Uint8Array` in memory order. Fixed-size byte
 * fields have the size given in the comment. Decoders return views (`subarray`) into the input
 * where noted so that a quote is never copied needlessly; `signedBytes` is always a view of the
 * original range, and signatures are checked over it, never over a re-encoding.
 */

/** One CPUID_CONFIG entry of TD_PARAMS: the configurable bits of the i-th configurable leaf. */
export interface CpuidConfigValues {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

/** TD_PARAMS (1024 bytes), the input of TDH.MNG.INIT (section 2.1). */
export interface TdParams {
  attributes: bigint;
  xfam: bigint;
  maxVcpus: number;
  /** 1.5: offset 18 (reserved in 1.0). */
  numL2Vms: number;
  /** 1.5: offset 19 (reserved in 1.0). */
  msrConfigCtls: number;
  eptpControls: bigint;
  /** CONFIG_FLAGS (1.0 name: EXEC_CONTROLS). */
  configFlags: bigint;
  /** In units of 25 MHz. */
  tscFrequency: number;
  /** 48 bytes each. */
  mrConfigId: Uint8Array;
  mrOwner: Uint8Array;
  mrOwnerConfig: Uint8Array;
  /** 1.5: offset 224 (reserved in 1.0). */
  ia32ArchCapabilitiesConfig: bigint;
  /** The first N entries at offset 256; N = the module's MAX_NUM_CPUID_CONFIG. */
  cpuidConfig: CpuidConfigValues[];
  /** Reserved areas as found (must be zero for the module to accept the structure). */
  reserved: {
    /** offset 20, 4 bytes */
    r20: Uint8Array;
    /** offset 42, 38 bytes */
    r42: Uint8Array;
    /** offset 232, 24 bytes */
    r232: Uint8Array;
    /** offset 256 + 16N to 1024 */
    tail: Uint8Array;
  };
}

/** REPORTTYPE (4 bytes at REPORTMACSTRUCT offset 0). */
export interface ReportType {
  /** 0x81 = TDX, 0x00 = SGX. */
  type: number;
  subtype: number;
  version: number;
  reserved: number;
}

/** REPORTMACSTRUCT (256 bytes, section 7.3.1). */
export interface ReportMacStruct {
  reportType: ReportType;
  /** 12 bytes at offset 4 */
  reserved1: Uint8Array;
  cpuSvn: Uint8Array; // 16
  teeTcbInfoHash: Uint8Array; // 48
  teeInfoHash: Uint8Array; // 48
  reportData: Uint8Array; // 64
  /** 32 bytes at offset 192 */
  reserved2: Uint8Array;
  mac: Uint8Array; // 32
}

/** TEE_TCB_INFO (239 bytes + 17 reserved in the TDREPORT, section 7.4). */
export interface TeeTcbInfo {
  valid: bigint;
  teeTcbSvn: Uint8Array; // 16
  mrSeam: Uint8Array; // 48
  mrSignerSeam: Uint8Array; // 48
  attributes: bigint;
  /** Reserved (zero) on 1.0 modules. */
  teeTcbSvn2: Uint8Array; // 16
  /** 95 bytes at struct offset 144 plus the 17 reserved TDREPORT bytes (112 in all). */
  reserved: Uint8Array;
}

/** TDINFO (512 bytes, section 7.5). */
export interface TdInfo {
  attributes: bigint;
  xfam: bigint;
  mrTd: Uint8Array; // 48
  mrConfigId: Uint8Array; // 48
  mrOwner: Uint8Array; // 48
  mrOwnerConfig: Uint8Array; // 48
  rtmr: [Uint8Array, Uint8Array, Uint8Array, Uint8Array]; // 4 x 48
  /** 1.5 SERVTD_HASH; zero (reserved) on 1.0. */
  servTdHash: Uint8Array; // 48
  reserved: Uint8Array; // 64
}

/** TDREPORT_STRUCT (1024 bytes, section 7.3). */
export interface TdReport {
  reportMac: ReportMacStruct;
  teeTcbInfo: TeeTcbInfo;
  tdInfo: TdInfo;
}

/** The 48-byte DCAP quote header (section 13.1). */
export interface QuoteHeader {
  version: number;
  attestationKeyType: number;
  /** 0x81 TDX, 0 SGX. */
  teeType: number;
  /** Bytes 8..9 (QE SVN in Intel QVL's reading; opaque for TDX). */
  qeSvn: number;
  /** Bytes 10..11. */
  pceSvn: number;
  qeVendorId: Uint8Array; // 16
  userData: Uint8Array; // 20
}

/** TD quote body: TD 1.0 (584 bytes) or TD 1.5 (648 bytes) (section 13.4). */
export interface TdQuoteBody {
  kind: "td10" | "td15";
  teeTcbSvn: Uint8Array; // 16
  mrSeam: Uint8Array; // 48
  mrSignerSeam: Uint8Array; // 48
  seamAttributes: bigint;
  tdAttributes: bigint;
  xfam: bigint;
  mrTd: Uint8Array; // 48
  mrConfigId: Uint8Array; // 48
  mrOwner: Uint8Array; // 48
  mrOwnerConfig: Uint8Array; // 48
  rtmr: [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  reportData: Uint8Array; // 64
  /** TD 1.5 only. */
  teeTcbSvn2?: Uint8Array; // 16
  /** TD 1.5 only. */
  mrServiceTd?: Uint8Array; // 48
}

/** SGX enclave report body (384 bytes): SGX quote bodies and the QE report (section 13.4). */
export interface SgxReportBody {
  kind: "sgx";
  cpuSvn: Uint8Array; // 16
  miscSelect: number;
  reserved1: Uint8Array; // 12
  isvExtProdId: Uint8Array; // 16
  /** 16 bytes: flags u64 LE then XFRM u64 LE. */
  attributes: Uint8Array;
  mrEnclave: Uint8Array; // 32
  reserved2: Uint8Array; // 32
  mrSigner: Uint8Array; // 32
  reserved3: Uint8Array; // 32
  configId: Uint8Array; // 64
  isvProdId: number;
  isvSvn: number;
  configSvn: number;
  reserved4: Uint8Array; // 42
  isvFamilyId: Uint8Array; // 16
  reportData: Uint8Array; // 64
}

export type QuoteBody = TdQuoteBody | SgxReportBody;

/** Certification data type 6 (QE report certification data), section 13.5. */
export interface QeReportCertificationData {
  type: 6;
  /** View of the 384 QE report bytes (the QE report signature covers exactly these). */
  qeReportBytes: Uint8Array;
  qeReport: SgxReportBody;
  qeReportSignature: Uint8Array; // 64, r || s
  qeAuthData: Uint8Array;
  /** Nested certification data (type 5 in every real TDX quote). */
  inner: CertificationData;
}

/** Certification data type 5: PEM certificate chain, leaf first. */
export interface PckChainCertificationData {
  type: 5;
  /** The raw PEM bytes as found (may end with NUL padding). */
  pem: Uint8Array;
  /** DER of each PEM certificate in order (leaf, intermediate, root). */
  certificates: Uint8Array[];
}

/** Any other certification data type (1-4, 7): kept raw. */
export interface RawCertificationData {
  type: 1 | 2 | 3 | 4 | 7;
  data: Uint8Array;
}

export type CertificationData = QeReportCertificationData | PckChainCertificationData | RawCertificationData;

/** ECDSA-256 quote signature data (section 13.5). */
export interface QuoteSignatureData {
  signature: Uint8Array; // 64, r || s over `signedBytes`
  attestationKey: Uint8Array; // 64, x || y
  certificationData: CertificationData;
}

/** A decoded DCAP quote, version 3 (SGX), 4 or 5. */
export interface Quote {
  header: QuoteHeader;
  /** v5 body descriptor type (1 SGX, 2 TD 1.0, 3 TD 1.5); absent for v3/v4. */
  bodyType?: number;
  body: QuoteBody;
  /** View of header || [v5 descriptor] || body: the bytes the attestation key signs. */
  signedBytes: Uint8Array;
  signatureDataLength: number;
  signatureData: QuoteSignatureData;
  /** Bytes after the signature data (zero padding in fixed-size buffers); not signed. */
  trailing: { length: number; allZero: boolean; bytes: Uint8Array };
}
