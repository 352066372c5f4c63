import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { loadCodec, type Codec, type MessageName } from "../../src/builder/buildkit/messages.js";
import { serveSession, type BuildSession, type SessionMethod } from "../../src/builder/buildkit/session.js";

/**
 * runner-kit's BuildKit session services over real gRPC (HTTP/2): a unix socket whose
 * accepted connection is served the way the hijacked /session connection is, and a grpc-js
 * client in the daemon's role. `close()` ends the client, the sessions and the socket.
 */
export interface SessionHarness {
  call(path: string, request: MessageName | undefined, response: MessageName | undefined, value: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** A bidirectional stream, as the daemon opens one, with this call metadata. */
  stream(path: string, message: MessageName, metadata: Record<string, string>): grpc.ClientDuplexStream<Record<string, unknown>, Record<string, unknown>>;
  close(): void;
}

/** `tlsWithoutAlpn`: the accepted socket looks like the TLSSocket a daemon on tcp with TLS hands back (no ALPN negotiated). */
export async function sessionHarness(methods: SessionMethod[], o: { tlsWithoutAlpn?: boolean } = {}): Promise<SessionHarness> {
  const codec: Codec = await loadCodec();
  const dir = mkdtempSync(join(tmpdir(), "rk-session-"));
  const path = join(dir, "s.sock");
  const sessions: BuildSession[] = [];
  const server: Server = createServer((socket) => {
    if (o.tlsWithoutAlpn) Object.assign(socket, { alpnProtocol: false });
    void serveSession(socket, "test", codec, methods).then((s) => sessions.push(s));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const client = new grpc.Client(`unix://${path}`, grpc.credentials.createInsecure());
  return {
    call: (method, request, response, value) =>
      new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          method,
          (v: Record<string, unknown>) => (request ? codec.encode(request, v) : Buffer.alloc(0)),
          (bytes: Buffer) => (response ? codec.decode<Record<string, unknown>>(response, bytes) : {}),
          value,
          (error, answer) => (error ? reject(error) : resolve(answer!)),
        );
      }),
    stream(method, message, metadata) {
      const md = new grpc.Metadata();
      for (const [key, value] of Object.entries(metadata)) md.set(key, value);
      return client.makeBidiStreamRequest(
        method,
        (v: Record<string, unknown>) => codec.encode(message, v),
        (bytes: Buffer) => codec.decode<Record<string, unknown>>(message, bytes),
        md,
      );
    },
    close() {
      client.close();
      for (const s of sessions) s.close();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
