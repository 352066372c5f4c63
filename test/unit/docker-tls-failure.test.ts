import { describe, expect, it } from "vitest";
import { isTlsFailure } from "../../src/engine/tls-failure.js";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("telling a TLS handshake failure from a daemon that is not there", () => {
  it("recognises Node's certificate and SSL errors", () => {
    expect(isTlsFailure(withCode("unable to verify the first certificate", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"))).toBe(true);
    expect(isTlsFailure(withCode("self-signed certificate in certificate chain", "SELF_SIGNED_CERT_IN_CHAIN"))).toBe(true);
    expect(isTlsFailure(withCode("Hostname/IP does not match certificate's altnames", "ERR_TLS_CERT_ALTNAME_INVALID"))).toBe(true);
    expect(isTlsFailure(withCode("tlsv1 alert unknown ca", "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA"))).toBe(true);
    expect(isTlsFailure(new Error("write EPROTO 0:error:0A000418:SSL routines::tlsv1 alert unknown ca"))).toBe(true);
  });

  it("leaves refused and timed-out connections alone", () => {
    expect(isTlsFailure(withCode("connect ECONNREFUSED 127.0.0.1:2376", "ECONNREFUSED"))).toBe(false);
    expect(isTlsFailure(new Error("no answer within 5000 ms"))).toBe(false);
    expect(isTlsFailure(withCode("getaddrinfo ENOTFOUND docker", "ENOTFOUND"))).toBe(false);
  });
});
