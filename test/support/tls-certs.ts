import { execa } from "execa";
import { join } from "node:path";
import { writeFileSync } from "node:fs";

/**
 * A throw-away CA, a server certificate for 127.0.0.1 and a client certificate, made with the
 * openssl CLI the way Docker's "protect the daemon socket" guide makes them. Files in `dir`:
 * ca.pem, server-cert.pem, server-key.pem (for dockerd) and cert.pem, key.pem (the client's,
 * the names DOCKER_CERT_PATH expects).
 */
export async function makeTlsCerts(dir: string, subject = "runner-kit-test"): Promise<void> {
  const ssl = (args: string[]) => execa("openssl", args, { cwd: dir });
  await ssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${subject}-ca`, "-keyout", "ca-key.pem", "-out", "ca.pem"]);
  const issue = async (name: string, cn: string, extensions: string) => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    await ssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${cn}`, "-keyout", `${name}-key.pem`, "-out", `${name}.csr`]);
    await ssl(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-days", "2", "-extfile", `${name}.ext`, "-out", `${name}-cert.pem`]);
  };
  await issue("server", "127.0.0.1", "subjectAltName = IP:127.0.0.1,DNS:localhost\nextendedKeyUsage = serverAuth\n");
  await issue("client", "client", "extendedKeyUsage = clientAuth\n");
  await execa("cp", [join(dir, "client-cert.pem"), join(dir, "cert.pem")]);
  await execa("cp", [join(dir, "client-key.pem"), join(dir, "key.pem")]);
}
