/**
 * The pinned trust anchor: Intel SGX Root CA (tdx-reference.md section 14.1). A public
 * certificate, embedded so verification needs no file. Pinned by the SHA-256 of its DER,
 * `44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3`, which a test recomputes; a root
 * supplied inside a quote or a collateral header is never trusted by itself.
 */
import { fromBase64 } from "../bytes.js";

/** Base64 DER of CN=Intel SGX Root CA (serial 22650cd6...06ac, valid 2018-05-21 .. 2049-12-31). */
const INTEL_SGX_ROOT_CA_B64 =
  "MIICjzCCAjSgAwIBAgIUImUM1lqdNInzg7SVUr9QGzknBqwwCgYIKoZIzj0EAwIwaDEaMBgGA1UEAwwRSW50ZWwgU0dYIFJv" +
  "b3QgQ0ExGjAYBgNVBAoMEUludGVsIENvcnBvcmF0aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJ" +
  "BgNVBAYTAlVTMB4XDTE4MDUyMTEwNDUxMFoXDTQ5MTIzMTIzNTk1OVowaDEaMBgGA1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0Ex" +
  "GjAYBgNVBAoMEUludGVsIENvcnBvcmF0aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJBgNVBAYT" +
  "AlVTMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEC6nEwMDIYZOj/iPWsCzaEKi71OiOSLRFhWGjbnBVJfVnkY4u3IjkDYYL" +
  "0MxO4mqsyYjlBalTVYxFP2sJBK5zlKOBuzCBuDAfBgNVHSMEGDAWgBQiZQzWWp00ifODtJVSv1AbOScGrDBSBgNVHR8ESzBJ" +
  "MEegRaBDhkFodHRwczovL2NlcnRpZmljYXRlcy50cnVzdGVkc2VydmljZXMuaW50ZWwuY29tL0ludGVsU0dYUm9vdENBLmRl" +
  "cjAdBgNVHQ4EFgQUImUM1lqdNInzg7SVUr9QGzknBqwwDgYDVR0PAQH/BAQDAgEGMBIGA1UdEwEB/wQIMAYBAf8CAQEwCgYI" +
  "KoZIzj0EAwIDSQAwRgIhAOW/5QkR+S9CiSDcNoowLuPRLsWGf/Yi7GSX94BgwTwgAiEA4J0lrHoMs+Xo5o/sX6O9QWxHRAvZ" +
  "UGOdRQ7cvqRXaqI=";

/** SHA-256 of the Intel SGX Root CA DER certificate (section 14.1). */
export const INTEL_SGX_ROOT_CA_SHA256 = "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3";

let decoded: Uint8Array | undefined;

/** DER of the Intel SGX Root CA (a fresh copy on each call). */
export function intelSgxRootCa(): Uint8Array {
  if (!decoded) decoded = fromBase64(INTEL_SGX_ROOT_CA_B64, "INTEL_SGX_ROOT_CA");
  return decoded.slice();
}
