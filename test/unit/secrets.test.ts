import { describe, expect, it } from "vitest";
import { SecretSet } from "../../src/common/secrets.js";

describe("SecretSet", () => {
  it("redacts passwords and the base64 auth built from them", () => {
    const secrets = new SecretSet();
    secrets.addCredential("robot", "s3cr3t-pa55");
    const auth = Buffer.from("robot:s3cr3t-pa55").toString("base64");
    expect(secrets.redact(`login robot s3cr3t-pa55 ${auth}`)).toBe("login robot [redacted] [redacted]");
  });

  it("ignores empty and trivially short values", () => {
    const secrets = new SecretSet();
    secrets.add("");
    secrets.add("ab");
    expect(secrets.size).toBe(0);
    expect(secrets.redact("ab")).toBe("ab");
  });
});
