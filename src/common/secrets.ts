/**
 * Secrets known to this process (registry passwords, tokens, auth strings). Every line
 * runner-kit prints goes through `redact`, so a secret that slips into an error message
 * from a daemon or a helper is still never shown.
 */
/** Variable names that look like they hold a secret (TOKEN, PASSWORD, *_SECRET, AWS keys, …). */
export const SECRET_NAME = /(?:^|_)(?:SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|AUTH_CONFIG)(?:_|$)|^AWS_(?:SECRET_ACCESS_KEY|SESSION_TOKEN|ACCESS_KEY_ID)$/i;

export function looksSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export class SecretSet {
  private readonly values = new Set<string>();

  /** Remember a secret and the encodings it is commonly seen in (base64 of user:pass). */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 3) return;
    this.values.add(secret);
  }

  addCredential(username: string | undefined, password: string | undefined): void {
    this.add(password);
    if (username !== undefined && password) {
      this.add(Buffer.from(`${username}:${password}`).toString("base64"));
    }
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const secret of [...this.values].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join("[redacted]");
    }
    return out;
  }

  get size(): number {
    return this.values.size;
  }
}
