import type Docker from "dockerode";
import { connectDocker, pingDocker, type DockerConnection } from "../../src/engine/client.js";
import { RunnerKitError } from "../../src/common/errors.js";

let connection: Promise<DockerConnection> | undefined;

/**
 * The Docker Engine the integration tests talk to (DOCKER_HOST or the default socket).
 * When none answers, this fails with one message saying how to start one: the
 * integration tests never skip.
 */
export function testDocker(): Promise<DockerConnection> {
  connection ??= (async () => {
    const conn = await connectDocker(process.env);
    try {
      await pingDocker(conn);
    } catch (error) {
      const why = error instanceof RunnerKitError ? error.toParagraph() : String(error);
      throw new Error(
        `The integration tests need a real Docker Engine and none answers. ${why} ` +
          "On Debian: `apt-get install -y docker.io && dockerd > /var/log/dockerd.log 2>&1 &`, " +
          "or run `bash .ci/run`, which installs and starts everything the tests need.",
      );
    }
    return conn;
  })();
  return connection;
}

export async function docker(): Promise<Docker> {
  return (await testDocker()).docker;
}
