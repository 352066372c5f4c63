/**
 * The protobuf messages runner-kit exchanges with BuildKit: the session's requests and
 * answers (registry credentials, build secrets, SSH agent forwarding, health, the context's
 * file sync) and the build's status stream. Field numbers follow BuildKit's .proto files
 * (session/auth, session/secrets, session/sshforward, grpc.health.v1, fsutil's types,
 * api/services/control StatusResponse); only the fields runner-kit reads or
 * writes are declared, the rest are skipped on decode as protobuf allows. protobufjs is
 * loaded on first use, so commands that never build with BuildKit never load it.
 */
import type { Type } from "protobufjs";

const TIMESTAMP = { fields: { seconds: { type: "int64", id: 1 }, nanos: { type: "int32", id: 2 } } };

const DESCRIPTOR = {
  nested: {
    CredentialsRequest: { fields: { Host: { type: "string", id: 1 } } },
    CredentialsResponse: { fields: { Username: { type: "string", id: 1 }, Secret: { type: "string", id: 2 } } },
    GetSecretRequest: { fields: { ID: { type: "string", id: 1 }, annotations: { keyType: "string", type: "string", id: 2 } } },
    GetSecretResponse: { fields: { data: { type: "bytes", id: 1 } } },
    CheckAgentRequest: { fields: { ID: { type: "string", id: 1 } } },
    BytesMessage: { fields: { data: { type: "bytes", id: 1 } } },
    HealthCheckRequest: { fields: { service: { type: "string", id: 1 } } },
    HealthCheckResponse: { fields: { status: { type: "int32", id: 1 } } },
    Timestamp: TIMESTAMP,
    // tonistiigi/fsutil types/stat.proto and wire.proto: the FileSync DiffCopy stream.
    Stat: {
      fields: {
        path: { type: "string", id: 1 },
        mode: { type: "uint32", id: 2 },
        uid: { type: "uint32", id: 3 },
        gid: { type: "uint32", id: 4 },
        size: { type: "int64", id: 5 },
        modTime: { type: "int64", id: 6 },
        linkname: { type: "string", id: 7 },
      },
    },
    Packet: { fields: { type: { type: "int32", id: 1 }, stat: { type: "Stat", id: 2 }, ID: { type: "uint32", id: 3 }, data: { type: "bytes", id: 4 } } },
    Vertex: {
      fields: {
        digest: { type: "string", id: 1 },
        inputs: { rule: "repeated", type: "string", id: 2 },
        name: { type: "string", id: 3 },
        cached: { type: "bool", id: 4 },
        started: { type: "Timestamp", id: 5 },
        completed: { type: "Timestamp", id: 6 },
        error: { type: "string", id: 7 },
      },
    },
    VertexStatus: {
      fields: {
        ID: { type: "string", id: 1 },
        vertex: { type: "string", id: 2 },
        name: { type: "string", id: 3 },
        current: { type: "int64", id: 4 },
        total: { type: "int64", id: 5 },
        completed: { type: "Timestamp", id: 8 },
      },
    },
    VertexLog: { fields: { vertex: { type: "string", id: 1 }, stream: { type: "int64", id: 3 }, msg: { type: "bytes", id: 4 } } },
    VertexWarning: { fields: { vertex: { type: "string", id: 1 }, level: { type: "int64", id: 2 }, short: { type: "bytes", id: 3 } } },
    StatusResponse: {
      fields: {
        vertexes: { rule: "repeated", type: "Vertex", id: 1 },
        statuses: { rule: "repeated", type: "VertexStatus", id: 2 },
        logs: { rule: "repeated", type: "VertexLog", id: 3 },
        warnings: { rule: "repeated", type: "VertexWarning", id: 4 },
      },
    },
  },
};

export type MessageName = keyof typeof DESCRIPTOR.nested;

/** The decoded form of BuildKit's StatusResponse (one `moby.buildkit.trace` aux message). */
export interface StatusResponse {
  vertexes: Vertex[];
  statuses: VertexStatus[];
  logs: VertexLog[];
  warnings: VertexWarning[];
}

export interface Vertex {
  digest: string;
  inputs?: string[];
  name: string;
  cached?: boolean;
  /** Present once the vertex started / completed (only presence matters here). */
  started?: object | null;
  completed?: object | null;
  error?: string;
}

export interface VertexStatus {
  ID: string;
  vertex: string;
  name?: string;
  current?: number;
  total?: number;
  completed?: object | null;
}

export interface VertexLog {
  vertex: string;
  /** 1 stdout, 2 stderr. */
  stream?: number;
  msg: Uint8Array;
}

export interface VertexWarning {
  vertex: string;
  level?: number;
  short: Uint8Array;
}

/** Encoders and decoders by message name. */
export interface Codec {
  encode(name: MessageName, value: Record<string, unknown>): Buffer;
  decode<T>(name: MessageName, bytes: Uint8Array): T;
}

let loaded: Promise<Codec> | undefined;

export function loadCodec(): Promise<Codec> {
  loaded ??= (async () => {
    const { default: protobuf } = await import("protobufjs");
    const root = protobuf.Root.fromJSON(DESCRIPTOR);
    const types = new Map<string, Type>();
    const type = (name: MessageName) => {
      let found = types.get(name);
      if (!found) types.set(name, (found = root.lookupType(name)));
      return found;
    };
    return {
      encode: (name, value) => Buffer.from(type(name).encode(type(name).fromObject(value)).finish()),
      decode: <T>(name: MessageName, bytes: Uint8Array) =>
        type(name).toObject(type(name).decode(bytes), { longs: Number, arrays: true, defaults: false }) as T,
    };
  })();
  return loaded;
}

/** Decode one `moby.buildkit.trace` aux value (base64 of a StatusResponse). */
export function decodeStatus(codec: Codec, base64: string): StatusResponse {
  const decoded = codec.decode<Partial<StatusResponse>>("StatusResponse", Buffer.from(base64, "base64"));
  return { vertexes: decoded.vertexes ?? [], statuses: decoded.statuses ?? [], logs: decoded.logs ?? [], warnings: decoded.warnings ?? [] };
}
