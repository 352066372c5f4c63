// The floor under a no-op `runner-kit build`: Node starting, then ONE Engine API request
// (the label-filtered image list the up-to-date check sends) over the daemon's socket, and
// nothing else — no project read, no hashing. No tool that starts Node and asks the daemon
// anything can answer faster. DOCKER_HOST=unix://… is honoured; default /var/run/docker.sock.
import { request } from "node:http";

const host = process.env.DOCKER_HOST ?? "";
const socketPath = host.startsWith("unix://") ? host.slice("unix://".length) : "/var/run/docker.sock";
const filters = encodeURIComponent(JSON.stringify({ label: ["io.runner-kit.content-hash"] }));
request({ socketPath, path: `/images/json?filters=${filters}` }, (res) => {
  res.resume();
  res.on("end", () => process.exit(res.statusCode === 200 ? 0 : 1));
})
  .on("error", () => process.exit(1))
  .end();
