/**
 * runner-kit's own BuildKit session: `POST /session` hijacked into an HTTP/2 (h2c)
 * connection on which the daemon is the gRPC client and runner-kit serves the methods the
 * build may call (registry credentials, build secrets, health). The daemon learns which
 * methods exist from the `X-Docker-Expose-Session-Grpc-Method` headers; a build names the
 * session by its id (`POST /build?session=<id>`). @grpc/grpc-js is loaded here, on first use.
 */
import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import { traceMark } from "../../common/trace.js";
import type Docker from "dockerode";
import type { Codec, MessageName } from "./messages.js";

/** gRPC status codes the services answer with (google.golang.org/grpc/codes). */
export const GrpcCode = { unknown: 2, invalidArgument: 3, notFound: 5, failedPrecondition: 9, unimplemented: 12, unavailable: 14 } as const;

/** An error a session method answers with: BuildKit reads the code, users read the message. */
export class SessionCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "SessionCallError";
  }
}

/**
 * A bidirectional stream the daemon opened: it reads the daemon's messages and writes the
 * answers (objects in object mode, through the method's encoders); `emit("error", { code,
 * details })` ends it with a gRPC status. `metadata` holds the call's headers.
 */
export interface SessionStream extends Duplex {
  readonly metadata: { get(key: string): unknown[] };
}

/** One gRPC method the session serves: unary (`handle`) or a bidirectional stream (`serve`). */
export interface SessionMethod {
  /** "/package.Service/Method" */
  path: string;
  /** Message names for decoding the request and encoding the answer; absent: raw bytes (`{ bytes }` in for a unary call, a Buffer for a stream; a Buffer out). */
  request?: MessageName;
  response?: MessageName;
  handle?(request: Record<string, unknown>): Promise<Record<string, unknown>>;
  serve?(stream: SessionStream): void;
}

export interface SessionOptions {
  /** The key the daemon keeps its copies of synced dirs under. Default: the session id (nothing is kept between sessions). */
  sharedKey?: string;
  /** The session's id (default: a new UUID). */
  id?: string;
}

/** A session being opened: its id is known at once, so a build naming it can be sent meanwhile. */
export type OpeningSession = Promise<BuildSession> & { readonly id: string };

export interface BuildSession {
  readonly id: string;
  /** Why the connection closed when runner-kit did not close it (undefined while it is open or after close()). */
  dropped(): string | undefined;
  /** Stop serving and close the connection; safe to call twice. */
  close(): void;
}

/** grpc.health.v1.Health/Check: the daemon checks the session every few seconds and drops it when unanswered. */
export const healthMethod: SessionMethod = {
  path: "/grpc.health.v1.Health/Check",
  request: "HealthCheckRequest",
  response: "HealthCheckResponse",
  handle: async () => ({ status: 1 /* SERVING */ }),
};

function hijackSession(docker: Docker, id: string, paths: string[], sharedKey: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const modem = docker.modem as unknown as { dial(options: object, callback: (error: unknown, socket: Duplex) => void): void };
    modem.dial(
      {
        method: "POST",
        path: "/session",
        hijack: true,
        headers: {
          Upgrade: "h2c",
          "X-Docker-Expose-Session-Uuid": id,
          "X-Docker-Expose-Session-Name": "runner-kit",
          "X-Docker-Expose-Session-Sharedkey": sharedKey,
          "X-Docker-Expose-Session-Grpc-Method": paths,
        },
        statusCodes: { 101: true, 200: true, 400: "bad parameter", 404: "no such endpoint", 500: "server error" },
      },
      (error, socket) => (error ? reject(error) : resolve(socket)),
    );
  });
}

function serviceDefinition(codec: Codec, methods: SessionMethod[]) {
  const definition: Record<string, object> = {};
  const implementation: Record<string, (call: { request: Record<string, unknown> } & SessionStream, done: (e: unknown, v?: unknown) => void) => void> = {};
  for (const method of methods) {
    const streaming = method.serve !== undefined;
    definition[method.path] = {
      path: method.path,
      requestStream: streaming,
      responseStream: streaming,
      requestDeserialize: (bytes: Buffer) => (method.request ? codec.decode(method.request, bytes) : streaming ? bytes : { bytes }),
      responseSerialize: (value: Record<string, unknown> | Buffer) => (method.response ? codec.encode(method.response, value as Record<string, unknown>) : Buffer.isBuffer(value) ? value : Buffer.alloc(0)),
      requestSerialize: () => Buffer.alloc(0),
      responseDeserialize: () => ({}),
    };
    implementation[method.path] = (call, done) => {
      if (method.serve) return method.serve(call);
      method.handle!(call.request).then(
        (answer) => done(null, answer),
        (error: unknown) => {
          const code = error instanceof SessionCallError ? error.code : GrpcCode.unknown;
          done({ code, details: error instanceof Error ? error.message : String(error) });
        },
      );
    };
  }
  return { definition, implementation };
}

/**
 * Serve `methods` (and the health check) as gRPC on a connection whose other end is the
 * HTTP/2 client: the hijacked `/session` connection, or any duplex in tests.
 */
export async function serveSession(socket: Duplex, id: string, codec: Codec, methods: SessionMethod[]): Promise<BuildSession> {
  const grpc = await import("@grpc/grpc-js");
  const server = new grpc.Server();
  const { definition, implementation } = serviceDefinition(codec, [healthMethod, ...methods]);
  server.addService(definition as never, implementation as never);
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  let closing = false;
  let dropped: string | undefined;
  socket.on("error", (error: Error) => {
    if (!closing) dropped ??= error.message;
  });
  socket.on("close", () => {
    if (!closing) dropped ??= "the daemon closed it";
  });
  // A daemon on tcp with TLS (docker:dind) hands back a TLSSocket without ALPN
  // (alpnProtocol false), which Node's HTTP/2 server takes for HTTP/1.1 and drops: the
  // daemon then never sees the session. The h2c upgrade already made it HTTP/2.
  if ((socket as { alpnProtocol?: unknown }).alpnProtocol === false) (socket as { alpnProtocol?: unknown }).alpnProtocol = "h2";
  injector.injectConnection(socket);
  return {
    id,
    dropped: () => dropped,
    close() {
      if (closing) return;
      closing = true;
      injector.destroy();
      server.forceShutdown();
      socket.destroy();
    },
  };
}

/**
 * Open a session with the daemon serving `methods` (the health check is always added).
 * Connection errors reject. The request goes out before this returns; gRPC loads while
 * the daemon answers.
 */
export function openSession(docker: Docker, codec: Codec, methods: SessionMethod[], options: SessionOptions = {}): OpeningSession {
  const id = options.id ?? randomUUID();
  const paths = [healthMethod, ...methods].map((m) => m.path);
  const hijacked = hijackSession(docker, id, paths, options.sharedKey ?? id);
  const grpc = import("@grpc/grpc-js");
  grpc.catch(() => undefined);
  const opened = hijacked.then((socket) => {
    traceMark("session: POST /session hijacked");
    return serveSession(socket, id, codec, methods);
  });
  return Object.assign(opened, { id });
}
