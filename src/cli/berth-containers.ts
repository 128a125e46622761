/**
 * The Docker resources Berth's agents leave on an engine, found by Berth's labels (see
 * `labels` in agent/runtime/types.ts): task containers and pause containers carry the task ARN and
 * their owner (the agent's own id: its instance id, i-… or mi-…, or its FARGATE host id; agents of
 * earlier versions wrote the container instance ARN); task volumes carry the same
 * two labels. Nothing without both labels is ever listed here, so nothing else is ever touched.
 *
 * The agents' identities live in `<data-dir>/agent/*.json` (see agent/registration.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { socketPathFromEnvironment } from '../agent/runtime/docker-runtime.js';
import { awsvpcNetworkName } from '../agent/runtime/network.js';
import { labels } from '../agent/runtime/types.js';

export interface BerthContainer {
  id: string;
  name: string;
  owner: string;
  taskArn: string;
  role: string;
  state: string;
}

export interface BerthVolume {
  name: string;
  owner: string;
  taskArn: string;
}

export interface AgentIdentity {
  /** The owner labels of its containers: its own id, and for an instance also the ARN agents of earlier versions wrote. */
  owners: string[];
  kind: 'container instance' | 'FARGATE host';
  containerInstanceArn?: string;
  file: string;
}

export const agentDirectoryOf = (dataDir: string) => resolve(dataDir, 'agent');

/** The identities of the agents a data directory's `berth up` runs. */
export function agentIdentitiesIn(dataDir: string): AgentIdentity[] {
  const directory = agentDirectoryOf(dataDir);
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names.flatMap((name): AgentIdentity[] => {
    const file = join(directory, name);
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { containerInstanceArn?: string; instanceId?: string; hostId?: string };
      if (saved.containerInstanceArn) {
        // The instance id is the owner label; containers of earlier versions carry the instance ARN.
        const owners = [saved.instanceId, saved.containerInstanceArn].filter((owner): owner is string => owner !== undefined);
        return [{ owners, kind: 'container instance', containerInstanceArn: saved.containerInstanceArn, file }];
      }
      if (saved.hostId) return [{ owners: [saved.hostId], kind: 'FARGATE host', file }];
    } catch {
      // Not an identity (an interrupted write leaves a .tmp file, which does not end in .json).
    }
    return [];
  });
}

export function dockerOf(socketPath?: string): Docker {
  return new Docker({ socketPath: socketPath ?? socketPathFromEnvironment(), timeout: 60_000 });
}

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

/** Every container with Berth's owner and task labels (of `owners` only, when given), running or not. */
export async function berthContainers(docker: Docker, owners?: string[]): Promise<BerthContainer[]> {
  const filters = owners === undefined ? [[labels.owner, labels.taskArn]] : owners.map((owner) => [`${labels.owner}=${owner}`, labels.taskArn]);
  const found = new Map<string, BerthContainer>();
  for (const label of filters) {
    for (const summary of await docker.listContainers({ all: true, filters: { label } })) {
      const containerLabels = summary.Labels ?? {};
      const owner = containerLabels[labels.owner];
      const taskArn = containerLabels[labels.taskArn];
      if (!owner || !taskArn) continue;
      found.set(summary.Id, {
        id: summary.Id,
        name: (summary.Names?.[0] ?? summary.Id).replace(/^\//, ''),
        owner,
        taskArn,
        role: containerLabels[labels.role] ?? 'app',
        state: summary.State,
      });
    }
  }
  return [...found.values()];
}

/** Every volume with Berth's owner and task labels (task volumes). */
export async function berthVolumes(docker: Docker): Promise<BerthVolume[]> {
  const answer = await docker.listVolumes({ filters: { label: [labels.owner, labels.taskArn] } });
  return (answer.Volumes ?? []).flatMap((volume) => {
    const owner = volume.Labels?.[labels.owner];
    const taskArn = volume.Labels?.[labels.taskArn];
    return owner && taskArn ? [{ name: volume.Name, owner, taskArn }] : [];
  });
}

export const taskIdOf = (taskArn: string) => taskArn.slice(taskArn.lastIndexOf('/') + 1);

/**
 * Stops the running containers gracefully (Docker's stop: the container's stop signal, then
 * SIGKILL after its stop timeout), task containers before the pause containers whose network
 * namespace they share, then removes them all. `say` reports each step.
 */
export async function stopAndRemove(docker: Docker, containers: BerthContainer[], say: (line: string) => void): Promise<number> {
  const running = (role: 'app' | 'pause') => containers.filter((container) => (container.role === 'pause') === (role === 'pause') && container.state !== 'exited' && container.state !== 'created' && container.state !== 'dead');
  for (const role of ['app', 'pause'] as const) {
    await Promise.all(
      running(role).map(async (container) => {
        try {
          await docker.getContainer(container.id).stop();
          say(`stopped ${container.name} (task ${taskIdOf(container.taskArn)})`);
        } catch (error) {
          // 304: already stopped; 404: already gone.
          if (statusOf(error) !== 304 && statusOf(error) !== 404) throw error;
        }
      }),
    );
  }
  let removed = 0;
  for (const container of containers) {
    try {
      await docker.getContainer(container.id).remove({ force: true });
      removed++;
      say(`removed ${container.name}`);
    } catch (error) {
      if (statusOf(error) !== 404 && !/already in progress/.test(String((error as Error).message))) throw error;
    }
  }
  return removed;
}

export async function removeVolumes(docker: Docker, volumes: BerthVolume[], say: (line: string) => void): Promise<number> {
  let removed = 0;
  for (const volume of volumes) {
    try {
      await docker.getVolume(volume.name).remove();
      removed++;
      say(`removed volume ${volume.name}`);
    } catch (error) {
      if (statusOf(error) === 404) continue;
      if (statusOf(error) === 409) say(`kept volume ${volume.name}: a container still uses it`);
      else throw error;
    }
  }
  return removed;
}

/**
 * Removes the awsvpc network when an agent of this data directory created it (its label says so)
 * and no container is attached: agents of another data directory may still use it otherwise.
 */
export async function removeAwsvpcNetwork(docker: Docker, dataDir: string, say: (line: string) => void): Promise<void> {
  let network: Docker.NetworkInspectInfo;
  try {
    network = (await docker.getNetwork(awsvpcNetworkName).inspect()) as Docker.NetworkInspectInfo;
  } catch (error) {
    if (statusOf(error) === 404) return;
    throw error;
  }
  if (network.Labels?.[labels.agentDataDir] !== agentDirectoryOf(dataDir)) {
    say(`kept network ${awsvpcNetworkName}: no agent of this data directory created it, so others may use it`);
    return;
  }
  const attached = Object.keys(network.Containers ?? {}).length;
  if (attached > 0) {
    say(`kept network ${awsvpcNetworkName}: ${attached} other container(s) are attached`);
    return;
  }
  try {
    await docker.getNetwork(awsvpcNetworkName).remove();
    say(`removed network ${awsvpcNetworkName}`);
  } catch (error) {
    if (statusOf(error) !== 404) say(`kept network ${awsvpcNetworkName}: ${(error as Error).message}`);
  }
}
