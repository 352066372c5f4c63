import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/engine/labels.js";
import { projectEnv, runInProcess } from "../support/cli.js";
import { docker } from "../support/docker.js";
import { ensureBaseImage } from "../support/images.js";
import { writeProjectFile } from "../support/project-files.js";
import { scanImage, scanText } from "../support/secret-scan.js";

/**
 * A Node client of the SSH agent protocol (no openssh-client in the image): asks the agent
 * in $SSH_AUTH_SOCK for its identities (SSH2_AGENTC_REQUEST_IDENTITIES) and prints each
 * key's fingerprint as `ssh-keygen -l` does (SHA256, unpadded base64); no key fails the step.
 */
const LIST_AGENT = `
const net = require("node:net"), crypto = require("node:crypto");
const socket = net.connect(process.env.SSH_AUTH_SOCK);
let buf = Buffer.alloc(0);
socket.on("connect", () => socket.write(Buffer.from([0, 0, 0, 1, 11])));
socket.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  if (buf.length < 4 || buf.length < 4 + buf.readUInt32BE(0)) return;
  socket.destroy();
  if (buf[4] !== 12) { console.error("agent answered type " + buf[4]); process.exit(1); }
  const n = buf.readUInt32BE(5);
  let at = 9;
  for (let i = 0; i < n; i++) {
    const blob = buf.subarray(at + 4, at + 4 + buf.readUInt32BE(at));
    at += 4 + blob.length;
    at += 4 + buf.readUInt32BE(at);
    console.log("agent key SHA256:" + crypto.createHash("sha256").update(blob).digest("base64").replace(/=+$/, ""));
  }
  process.exit(n > 0 ? 0 : 1);
});
socket.on("error", (e) => { console.error("no agent: " + e.message); process.exit(1); });
`;

/** Which of `texts` the image's `docker save` stream holds (every layer, uncompressed), read chunk by chunk. */
async function savedImageHolds(ref: string, texts: string[]): Promise<string[]> {
  const found = new Set<string>();
  const overlap = Math.max(...texts.map((t) => t.length));
  let tail = Buffer.alloc(0);
  let bytes = 0;
  const save = execa("docker", ["save", ref], { buffer: false, encoding: "buffer" });
  for await (const chunk of save.stdout) {
    const window = Buffer.concat([tail, chunk as Buffer]);
    for (const text of texts) if (window.includes(text)) found.add(text);
    tail = window.subarray(Math.max(0, window.length - overlap));
    bytes += (chunk as Buffer).length;
  }
  await save;
  expect(bytes).toBeGreaterThan(1000);
  return [...found];
}

/** `runner-kit build --ssh`: a real ssh-agent with a generated key, forwarded to RUN --mount=type=ssh. */
describe("runner-kit build --ssh (BuildKit, a real ssh-agent)", () => {
  const runId = newRunId();
  const prefix = `rk-${runId}`;
  let dir: string;
  let agent: ChildProcess;
  let sock: string;
  let fingerprint: string;
  let publicKey: string;
  let privateKey: string;

  const run = (argv: string[], extra: NodeJS.ProcessEnv = {}) => runInProcess(argv, { cwd: dir, env: projectEnv(dir, runId, extra) });

  beforeAll(async () => {
    await ensureBaseImage(await docker(), "node:20-bookworm");
    dir = mkdtempSync(join(tmpdir(), "rk-build-ssh-"));
    await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `rk-test-${runId}`, "-f", join(dir, "key")]);
    sock = join(dir, "agent.sock");
    agent = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
    for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
    await execa("ssh-add", [join(dir, "key")], { env: { SSH_AUTH_SOCK: sock } });
    fingerprint = (await execa("ssh-keygen", ["-l", "-E", "sha256", "-f", join(dir, "key.pub")])).stdout.split(" ")[1]!;
    publicKey = readFileSync(join(dir, "key.pub"), "utf8").split(" ")[1]!;
    privateKey = readFileSync(join(dir, "key"), "utf8").split("\n")[1]!;
    writeProjectFile(dir, "runner-kit.yaml", [`registry: ${prefix}`, "templates: templates", "images:", "  lists:", "    context: ctx", "  needs:", "    context: ctx", ""].join("\n"));
    writeProjectFile(dir, "ctx/list-agent.js", LIST_AGENT);
    // The run id makes the step new to the daemon's cache (forwarding is not part of BuildKit's cache key).
    writeProjectFile(
      dir,
      "templates/lists/Dockerfile.hbs",
      `FROM node:20-bookworm\nRUN --mount=type=bind,source=list-agent.js,target=/list-agent.js --mount=type=ssh echo ${runId} && node /list-agent.js\nRUN echo built > /stamp\n`,
    );
    writeProjectFile(dir, "templates/needs/Dockerfile.hbs", `FROM busybox:latest\nRUN --mount=type=ssh,id=gitlab,required=true echo ${runId}\n`);
  });

  afterAll(async () => {
    agent?.kill();
    const d = await docker();
    for (const image of ["lists", "needs"]) await d.getImage(`${prefix}/${image}:latest`).remove({ force: true }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("forwards the agent in SSH_AUTH_SOCK: the key's fingerprint is seen in the build and is nowhere in the image; the ssh id is hashed", async () => {
    const r = await run(["build", "lists", "--ssh", "default", "--progress", "plain", "--json"], { SSH_AUTH_SOCK: sock });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`agent key ${fingerprint}`);
    const forms = { fingerprint: fingerprint.replace(/^SHA256:/, ""), "public key": publicKey, "private key": privateKey };
    expect([...scanText("stdout", r.stdout, forms), ...(await scanImage(`${prefix}/lists:latest`, forms))]).toEqual([]);
    // Every layer: `docker save` holds them uncompressed.
    expect(await savedImageHolds(`${prefix}/lists:latest`, Object.values(forms))).toEqual([]);
    // The same id again is up to date; another socket for it does not matter, since only the id is hashed.
    const again = await run(["build", "lists", "--ssh", `default=${sock}`, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { images: { status: string }[] }).images[0]!.status).toBe("up-to-date");
  });

  it("--ssh default without an agent is exit 2 saying what to do, before anything builds", async () => {
    const r = await run(["build", "lists", "--ssh", "default"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("--ssh default: SSH_AUTH_SOCK is not set, so there is no SSH agent to forward");
    expect(r.stderr).toContain('eval "$(ssh-agent)"');
    expect(r.stderr).not.toContain("building");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a required ssh mount whose id nobody gave fails the image naming the id and how to give it", async () => {
    const r = await run(["build", "needs", "--ssh", "default", "--progress", "plain"], { SSH_AUTH_SOCK: sock });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('the build requires the SSH agent "gitlab" (RUN --mount=type=ssh,id=gitlab,required=true) and runner-kit was given none by that id (it has: default); forward an agent with --ssh gitlab=SOCKET');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("the classic builder refuses --ssh with exit 2", async () => {
    const r = await run(["build", "lists", "--builder", "classic", "--ssh", "default"], { SSH_AUTH_SOCK: sock });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("--ssh forwards an SSH agent through BuildKit's session, and this build uses the classic builder, which has none");
  });
});
