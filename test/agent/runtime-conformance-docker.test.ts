/**
 * The Docker runtime, on the real engine, passes the container runtime conformance suite. Every
 * container, volume, network and image the suite makes is removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import Docker from 'dockerode';
import { DockerRuntime, socketPathFromEnvironment } from '../../src/agent/runtime/docker-runtime.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { containerRuntimeConformance } from './runtime-conformance.js';

const available = await dockerAvailable();
const skip = available ? false : `Docker engine not reachable at ${socketPathFromEnvironment()}: start dockerd to run these tests`;

/** Runs until SIGTERM (exit 143) or until an exit code is written to /tmp/exit-code. */
const runUntilStopped = ['sh', '-c', 'trap "exit 143" TERM; while [ ! -f /tmp/exit-code ]; do sleep 0.1; done; exit "$(cat /tmp/exit-code)"'];
const exitDeadlineMs = 20_000;

containerRuntimeConformance(
  'docker',
  async () => {
    const runId = randomBytes(4).toString('hex');
    const runtime = new DockerRuntime();
    const docker = new Docker({ socketPath: socketPathFromEnvironment() });
    const importReference = `berth-conformance/imported:${runId}`;
    const network = { name: `berth-conformance-${runId}`, subnet: `10.224.${randomBytes(1)[0]}.0/24` };
    return {
      runtime,
      image: await buildBusyboxImage(),
      runUntilStopped,
      exit: async (id, exitCode) => {
        const exec = await docker.getContainer(id).exec({ Cmd: ['sh', '-c', `echo ${exitCode} > /tmp/exit-code`], AttachStdout: true, AttachStderr: true });
        // Attached, the exec's stream ends with the command; a detached start would leave its connection open.
        const output = await exec.start({});
        output.resume();
        await finished(output);
        // Waits for the engine (not for Berth): the loop notices the file within a tenth of a second.
        const deadline = performance.now() + exitDeadlineMs;
        while ((await runtime.inspect(id))?.state === 'running') {
          if (performance.now() > deadline) throw new Error(`container ${id} still runs ${exitDeadlineMs / 1000} s after being told to exit`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      unpullable: `berth-conformance/no-such-image-${runId}:nope`,
      importReference,
      network,
      close: async () => {
        await docker.getNetwork(network.name).remove().catch(() => undefined);
        await docker.getImage(importReference).remove({ force: true }).catch(() => undefined);
      },
    };
  },
  skip,
);
