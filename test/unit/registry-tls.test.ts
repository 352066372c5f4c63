import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { readRegistryTls } from "../../src/push/registry-transport.js";
import { writeProjectFiles } from "../support/project-files.js";

describe("readRegistryTls: the daemon's certs.d/<host>/ rule", () => {
  const dir = mkdtempSync(join(tmpdir(), "rk-certs-d-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("adds every *.crt to the system roots and pairs client.cert with client.key", async () => {
    writeProjectFiles(dir, { "reg.example.com:5000/ca.crt": "CA1", "reg.example.com:5000/extra.crt": "CA2", "reg.example.com:5000/client.cert": "CERT", "reg.example.com:5000/client.key": "KEY" });
    const tls = await readRegistryTls(dir, "reg.example.com:5000");
    expect(tls.ca).toEqual([...rootCertificates, "CA1", "CA2"]);
    expect(tls).toMatchObject({ cert: "CERT", key: "KEY" });
  });

  it("has nothing to add for a host without a folder", async () => {
    expect(await readRegistryTls(dir, "other.example.com")).toEqual({});
  });

  it("refuses a certificate without its key, and a key without its certificate, naming the file", async () => {
    writeProjectFiles(dir, { "a.example.com/client.cert": "CERT", "b.example.com/client.key": "KEY" });
    await expect(readRegistryTls(dir, "a.example.com")).rejects.toThrow(`${join(dir, "a.example.com", "client.cert")} has no matching .key file`);
    await expect(readRegistryTls(dir, "b.example.com")).rejects.toThrow(`${join(dir, "b.example.com", "client.key")} has no matching .cert file`);
  });
});
