/**
 * `berth prune`: removes what agents that no longer exist left on this Docker engine.
 *
 * The rule: a container (or task volume) carrying Berth's owner and task labels is an orphan when
 * its owner is neither
 *   - an agent identity in this data directory (`<data-dir>/agent/*.json`), nor
 *   - known to the control plane answering at the endpoint, if one answers: a container instance
 *     it lists as ACTIVE or DRAINING (an owner label is the agent's instance id; the cluster to
 *     look in is the one in the task ARN label), or a FARGATE capacity host connected to it.
 * A container without Berth's labels is never touched. With no control plane answering, only this
 * data directory's agents count as alive; the command says so.
 */
import { DescribeContainerInstancesCommand, ECSClient, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { Command, Option } from 'commander';
import { agentIdentitiesIn, berthContainers, berthVolumes, dockerOf, removeVolumes, stopAndRemove, taskIdOf, type BerthContainer } from './berth-containers.js';
import { cliCredentials, endpointOf, healthOf, withClientOptions, type ClientFlags } from './client-options.js';
import { signedFetch, type CliCredentials } from './signed-fetch.js';
import { table } from './table.js';

interface PruneFlags extends ClientFlags {
  dryRun?: boolean;
  owner?: string[];
  dockerSocket?: string;
}

interface Verdict {
  alive: boolean;
  why: string;
}

const instanceArnPattern = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):container-instance\/([^/]+)\/([^/]+)$/;
const taskArnPattern = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):task\/([^/]+)\/([^/]+)$/;
const instanceIdPattern = /^m?i-[0-9a-f]+$/;

/** An agent's instance id, asked of the cluster its task ran in: is an instance with that EC2 id registered? */
async function askByInstanceId(owner: string, taskArn: string, context: { endpoint: string; credentials: CliCredentials; accountId: string }): Promise<Verdict> {
  const match = taskArnPattern.exec(taskArn);
  if (!match) return { alive: false, why: `its task label '${taskArn}' is not a task ARN` };
  const [, region, account, cluster] = match as unknown as [string, string, string, string];
  if (account !== context.accountId) return { alive: true, why: `kept: an instance of account ${account}, which these credentials cannot see` };
  const client = new ECSClient({ endpoint: context.endpoint, region, credentials: context.credentials, maxAttempts: 2 });
  try {
    const answer = await client.send(new ListContainerInstancesCommand({ cluster, filter: `ec2InstanceId == ${owner}` }));
    return (answer.containerInstanceArns ?? []).length > 0
      ? { alive: true, why: `a container instance of cluster '${cluster}' ${context.endpoint} knows` }
      : { alive: false, why: `no container instance ${owner} in cluster '${cluster}' at ${context.endpoint}` };
  } catch (error) {
    if ((error as { name?: string }).name === 'ClusterNotFoundException') return { alive: false, why: `its cluster '${cluster}' does not exist at ${context.endpoint}` };
    throw error;
  } finally {
    client.destroy();
  }
}

const say = (line: string) => process.stdout.write(`berth prune: ${line}\n`);

/** What the control plane at `endpoint` knows of `owner`. */
async function askControlPlane(
  owner: string,
  taskArn: string,
  context: { endpoint: string; credentials: CliCredentials; accountId: string; fargateHosts: Set<string> },
): Promise<Verdict> {
  if (instanceIdPattern.test(owner)) return askByInstanceId(owner, taskArn, context);
  const match = instanceArnPattern.exec(owner);
  if (!match) {
    return context.fargateHosts.has(owner)
      ? { alive: true, why: `a FARGATE host connected to ${context.endpoint}` }
      : { alive: false, why: `no FARGATE host or container instance of that name is known to ${context.endpoint}` };
  }
  const [, region, account, cluster] = match as unknown as [string, string, string, string];
  if (account !== context.accountId) return { alive: true, why: `kept: a container instance of account ${account}, which these credentials cannot see` };
  const client = new ECSClient({ endpoint: context.endpoint, region, credentials: context.credentials, maxAttempts: 2 });
  try {
    const answer = await client.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [owner] }));
    const instance = answer.containerInstances?.[0];
    if (!instance) return { alive: false, why: `${context.endpoint} has no such container instance` };
    if (instance.status === 'INACTIVE') return { alive: false, why: 'its container instance was deregistered (INACTIVE)' };
    return { alive: true, why: `a container instance ${context.endpoint} knows (${instance.status})` };
  } catch (error) {
    if ((error as { name?: string }).name === 'ClusterNotFoundException') return { alive: false, why: `its cluster '${cluster}' does not exist at ${context.endpoint}` };
    throw error;
  } finally {
    client.destroy();
  }
}

async function connectedFargateHosts(endpoint: string, credentials: CliCredentials, region: string): Promise<Set<string>> {
  const response = await signedFetch(endpoint, '/', {
    credentials,
    region,
    service: 'berth',
    body: '{}',
    headers: { 'x-amz-target': 'Berth_20261101.ListFargateHosts' },
  });
  const answer = (await response.json()) as { fargateHosts?: { hostId: string }[]; __type?: string; message?: string };
  if (!response.ok) throw new Error(`${endpoint} refused ListFargateHosts: ${answer.__type ?? response.status}: ${answer.message ?? ''}`);
  return new Set((answer.fargateHosts ?? []).map((host) => host.hostId));
}

function collectOwner(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function pruneCommand(): Command {
  return withClientOptions(
    new Command('prune')
      .summary('remove the containers and task volumes of agents that no longer exist')
      .description(
        [
          "remove containers and task volumes that agents which no longer exist left behind. One is removed only if it carries Berth's labels",
          `(dev.berth.owner and com.amazonaws.ecs.task-arn) and its owner is neither an agent identity in --data-dir (<data-dir>/agent/*.json)`,
          'nor known to the control plane answering at --endpoint (a container instance it lists as ACTIVE or DRAINING, or a FARGATE host connected to it).',
          'With no control plane answering, only the agents of --data-dir count. Containers without those labels are never touched.',
        ].join(' '),
      )
      .option('--dry-run', 'list what would be removed, and why, without removing anything')
      .option('--owner <owner>', 'consider only containers of this owner (an instance id such as i-0123…, or a FARGATE host id); repeatable', collectOwner)
      .addOption(new Option('--docker-socket <path>', 'the Docker engine socket (default: DOCKER_HOST or /var/run/docker.sock)')),
  ).action(async (flags: PruneFlags) => {
    const docker = dockerOf(flags.dockerSocket);
    const ownerFilter = flags.owner && new Set(flags.owner);
    const inScope = (owner: string) => !ownerFilter || ownerFilter.has(owner);
    const containers = (await berthContainers(docker)).filter((container) => inScope(container.owner));
    const volumes = (await berthVolumes(docker)).filter((volume) => inScope(volume.owner));

    const verdicts = new Map<string, Verdict>();
    for (const identity of agentIdentitiesIn(flags.dataDir)) {
      for (const owner of identity.owners) verdicts.set(owner, { alive: true, why: `the ${identity.kind} of an agent of ${flags.dataDir}` });
    }
    const unknown = [...new Set([...containers, ...volumes].map((item) => item.owner))].filter((owner) => !verdicts.has(owner));
    const endpoint = endpointOf(flags);
    if (unknown.length > 0) {
      if (await healthOf(endpoint)) {
        const credentials = await cliCredentials(flags.dataDir, flags.accountId, flags.keyFile);
        const context = { endpoint, credentials, accountId: flags.accountId, fargateHosts: await connectedFargateHosts(endpoint, credentials, flags.region) };
        const taskOf = new Map([...containers, ...volumes].map((item) => [item.owner, item.taskArn]));
        for (const owner of unknown) verdicts.set(owner, await askControlPlane(owner, taskOf.get(owner) ?? '', context));
      } else {
        say(`no control plane answers at ${endpoint}: only the agents of ${flags.dataDir} count as alive`);
        for (const owner of unknown) verdicts.set(owner, { alive: false, why: `not an agent of ${flags.dataDir}, and no control plane answers at ${endpoint}` });
      }
    }

    const orphans = containers.filter((container) => !verdicts.get(container.owner)?.alive);
    const orphanVolumes = volumes.filter((volume) => !verdicts.get(volume.owner)?.alive);
    if (orphans.length === 0 && orphanVolumes.length === 0) {
      say(`nothing to remove: ${containers.length} Berth container(s), each of an agent that exists`);
      return;
    }
    const why = (owner: string) => verdicts.get(owner)?.why ?? '';
    const rows = (items: BerthContainer[]) => items.map((container) => [container.name, taskIdOf(container.taskArn), container.owner, container.state, why(container.owner)]);
    process.stdout.write(`${table(['CONTAINER', 'TASK', 'OWNER', 'STATE', 'WHY'], rows(orphans)).join('\n')}\n`);
    for (const volume of orphanVolumes) process.stdout.write(`volume ${volume.name} (task ${taskIdOf(volume.taskArn)}, owner ${volume.owner}): ${why(volume.owner)}\n`);
    if (flags.dryRun) {
      say(`dry run: would remove ${orphans.length} container(s) and ${orphanVolumes.length} volume(s)`);
      return;
    }
    const removed = await stopAndRemove(docker, orphans, say);
    const removedVolumes = await removeVolumes(docker, orphanVolumes, say);
    say(`removed ${removed} container(s) and ${removedVolumes} volume(s)`);
  });
}
