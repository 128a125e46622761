/**
 * `berth down`: stops everything a data directory's Berth started. First the `berth up` and
 * `berth server` processes recorded in `<data-dir>/run/` (SIGTERM, then wait), so that no agent
 * restarts what follows; then the containers, task volumes and awsvpc network of this data
 * directory's agents, found by Berth's labels. The load balancers' data plane, which outlives a
 * stopped control plane so that traffic keeps flowing, is shut down after the processes.
 */
import { Command, Option } from 'commander';
import { defaults } from '../config.js';
import { wholeNumber } from './agent-options.js';
import { agentIdentitiesIn, berthContainers, berthVolumes, dockerOf, removeAwsvpcNetwork, removeVolumes, stopAndRemove } from './berth-containers.js';
import { isAlive, runRecords, type RunRecord } from './run-record.js';
import { DataPlaneHandle, dataPlaneKinds, dataPlaneStateDir } from '../elbv2/data-plane-handle.js';

/** Shuts down whichever load balancer data plane runs for the data directory. */
async function shutdownDataPlanes(dataDir: string): Promise<void> {
  for (const kind of dataPlaneKinds) {
    const handle = new DataPlaneHandle(kind, dataPlaneStateDir(dataDir, kind));
    try {
      if (await handle.running()) {
        await handle.shutdown();
        say(`the ${kind} load balancer data plane stopped`);
      }
    } catch (error) {
      process.stderr.write(`berth down: the ${kind} load balancer data plane could not be stopped: ${(error as Error).message}\n`);
    }
  }
}

interface DownFlags {
  dataDir: string;
  dockerSocket?: string;
  timeout: number;
}

const say = (line: string) => process.stdout.write(`berth down: ${line}\n`);

/** SIGTERM, then wait up to `timeoutSeconds` for the process to exit. */
async function stopProcess(record: RunRecord, timeoutSeconds: number): Promise<boolean> {
  say(`stopping berth ${record.command} (pid ${record.pid}, ${record.endpoint})`);
  try {
    process.kill(record.pid, 'SIGTERM');
  } catch {
    return true;
  }
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (isAlive(record.pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

export function downCommand(): Command {
  return new Command('down')
    .summary("stop this data directory's Berth, its agents' containers, task volumes and awsvpc network")
    .description(
      "stop everything this data directory's Berth started: its running 'berth up'/'berth server' processes, then every container, task volume and the awsvpc network of its agents",
    )
    .addOption(new Option('-d, --data-dir <dir>', 'the data directory of the Berth to stop').env('BERTH_DATA_DIR').default(defaults.dataDir))
    .addOption(new Option('--timeout <seconds>', 'how long to wait for each Berth process to exit after SIGTERM').argParser(wholeNumber('--timeout', 1)).default(30))
    .addOption(new Option('--docker-socket <path>', 'the Docker engine socket (default: DOCKER_HOST or /var/run/docker.sock)'))
    .action(async (flags: DownFlags) => {
      const records = runRecords(flags.dataDir, { prune: true });
      for (const record of records) {
        if (!(await stopProcess(record, flags.timeout))) {
          process.stderr.write(`berth down: berth ${record.command} (pid ${record.pid}) did not exit within ${flags.timeout} s; its containers are left alone. Try again, or kill it.\n`);
          process.exit(1);
        }
        say(`berth ${record.command} (pid ${record.pid}) stopped`);
      }
      if (records.length === 0) say(`no Berth process runs on ${flags.dataDir}`);
      await shutdownDataPlanes(flags.dataDir);
      const identities = agentIdentitiesIn(flags.dataDir);
      if (identities.length === 0) {
        say('no agent of this data directory has run: no container to stop');
        return;
      }
      const docker = dockerOf(flags.dockerSocket);
      const owners = identities.flatMap((identity) => identity.owners);
      const containers = await berthContainers(docker, owners);
      say(`${containers.length} container(s) of this data directory's agents`);
      const removed = await stopAndRemove(docker, containers, say);
      const volumes = (await berthVolumes(docker)).filter((volume) => owners.includes(volume.owner));
      const removedVolumes = await removeVolumes(docker, volumes, say);
      await removeAwsvpcNetwork(docker, flags.dataDir, say);
      say(`done: ${removed} container(s) and ${removedVolumes} volume(s) removed`);
    });
}
