/**
 * Whether a connection error is the TLS handshake failing (a certificate the client or the
 * daemon does not accept) rather than nobody listening — they need different advice.
 */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_)|CERT|SIGNATURE|^UNABLE_TO_/;
const TLS_TEXT = /certificate|SSL routines|ssl3?_|tls alert|alert (bad|unknown)/i;

export function isTlsFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && TLS_CODE.test(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return TLS_TEXT.test(message);
}
