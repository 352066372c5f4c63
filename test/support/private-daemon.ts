import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { execa } from "execa";

/**
 * A Docker daemon of a test's own: its own socket, data-root, exec-root, pidfile and bridge
 * (a /24 no route on this host uses), vfs storage, no iptables changes. It can be restarted
 * without disturbing the shared daemon at /var/run/docker.sock, and `remove()` leaves nothing.
 */
export class PrivateDaemon {
  readonly dir: string;
  readonly socket: string;
  readonly bridge: string;
  private process: ChildProcess | undefined;
  private subnet: string | undefined;

  /** `extraArgs`: more dockerd flags, e.g. a TLS tcp listener next to the socket. */
  constructor(private readonly extraArgs: string[] = []) {
    // Short paths: unix socket paths are limited to 107 bytes, and containerd's live under exec-root.
    this.dir = mkdtempSync("/tmp/rk-dd-");
    this.socket = join(this.dir, "docker.sock");
    this.bridge = `rkf${randomBytes(4).toString("hex")}`;
  }

  get host(): string {
    return `unix://${this.socket}`;
  }

  get log(): string {
    return existsSync(join(this.dir, "dockerd.log")) ? readFileSync(join(this.dir, "dockerd.log"), "utf8") : "";
  }

  client(): Docker {
    return new Docker({ socketPath: this.socket });
  }

  /** Create the bridge (first time) and start dockerd; resolves once it answers. */
  async start(): Promise<void> {
    if (!this.subnet) await this.createBridge();
    const log = openSync(join(this.dir, "dockerd.log"), "a");
    try {
      this.process = spawn(
        "dockerd",
        [
          `--host=${this.host}`,
          `--data-root=${join(this.dir, "data")}`,
          `--exec-root=${join(this.dir, "exec")}`,
          `--pidfile=${join(this.dir, "docker.pid")}`,
          `--bridge=${this.bridge}`,
          "--iptables=false",
          "--ip-masq=false",
          "--ip-forward=false",
          "--storage-driver=vfs",
          ...this.extraArgs,
        ],
        { stdio: ["ignore", log, log] },
      );
    } finally {
      closeSync(log);
    }
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`dockerd exited with ${this.process.exitCode}:\n${this.log.slice(-3000)}`);
      try {
        await this.client().ping();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    throw new Error(`the private dockerd did not answer within 120 s:\n${this.log.slice(-3000)}`);
  }

  /** Stop dockerd (SIGTERM, then SIGKILL after 60 s) and wait until it and its containerd are gone. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    await exited;
    clearTimeout(timer);
    // The containerd dockerd started for itself (it normally stops it on the way out).
    const pidFile = join(this.dir, "exec", "containerd", "containerd.pid");
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, "utf8"));
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Copy an image from the shared daemon into this one. */
  async loadFrom(image: string, sharedHost: string | undefined): Promise<void> {
    const from = sharedHost ? `-H ${sharedHost}` : "";
    await execa("sh", ["-c", `docker ${from} save ${image} | docker -H ${this.host} load`]);
  }

  /** Stop the daemon, unmount what it left under its dirs, delete the bridge and the dirs. Safe to call on any state. */
  async remove(): Promise<void> {
    await this.stop().catch(() => {});
    const mounts = readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .map((l) => l.split(" ")[1] ?? "")
      .filter((m) => m.startsWith(`${this.dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) await execa("umount", ["-l", m], { reject: false });
    await execa("ip", ["link", "del", this.bridge], { reject: false });
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async createBridge(): Promise<void> {
    const routes = (await execa("ip", ["-4", "route", "show", "table", "all"])).stdout;
    const addresses = (await execa("ip", ["-4", "addr"])).stdout;
    for (let tries = 0; tries < 50; tries++) {
      const prefix = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
      if (routes.includes(`${prefix}.`) || addresses.includes(`${prefix}.`) || routes.includes(`${prefix.split(".").slice(0, 2).join(".")}.0.0/16`)) continue;
      await execa("ip", ["link", "add", this.bridge, "type", "bridge"]);
      await execa("ip", ["addr", "add", `${prefix}.1/24`, "dev", this.bridge]);
      await execa("ip", ["link", "set", this.bridge, "up"]);
      this.subnet = `${prefix}.0/24`;
      return;
    }
    throw new Error("found no unused private /24 for the test daemon's bridge");
  }
}
