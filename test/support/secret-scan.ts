/**
 * Secret scan for captured output and produced images: every password, token, `auth` value
 * (base64 of user:password) and identity token of a fixture must appear nowhere.
 */
import { execa } from "execa";

export interface SecretFinding {
  where: string;
  /** Which secret (by label, never the value). */
  secret: string;
}

/** The forms a credential can leak in: the value itself and the config.json `auth` encoding. */
export function secretForms(secrets: Record<string, string>, username?: string): Record<string, string> {
  const forms: Record<string, string> = {};
  for (const [label, value] of Object.entries(secrets)) {
    if (value.length < 6) throw new Error(`secret ${label} is too short to scan for`);
    forms[label] = value;
    if (username) forms[`${label} (auth, base64 of user:password)`] = Buffer.from(`${username}:${value}`).toString("base64");
  }
  return forms;
}

/** Findings for every secret form contained in `text`. */
export function scanText(where: string, text: string, forms: Record<string, string>): SecretFinding[] {
  return Object.entries(forms)
    .filter(([, value]) => text.includes(value))
    .map(([secret]) => ({ where, secret }));
}

/** `docker image inspect` + `docker history --no-trunc` of an image, scanned. */
export async function scanImage(ref: string, forms: Record<string, string>): Promise<SecretFinding[]> {
  const inspect = await execa("docker", ["image", "inspect", ref]);
  const history = await execa("docker", ["history", "--no-trunc", "--format", "{{json .}}", ref]);
  return [...scanText(`image inspect ${ref}`, inspect.stdout, forms), ...scanText(`history ${ref}`, history.stdout, forms)];
}
