/** `berth agent`: joins this host to a Berth control plane, ECS Anywhere style. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Logger } from 'pino';
import { startAgent, type AgentOptions, type RunningAgent } from '../agent/agent.js';
import { DockerRuntime } from '../agent/runtime/docker-runtime.js';
import { SimulatedRuntime } from '../agent/simulated/simulated-runtime.js';
import { defaults } from '../config.js';
import { agentSettingsOf, wholeNumber, withAgentOptions, type AgentFlags } from './agent-options.js';
import { cliLogger, withLogOptions, type LogFlags } from './logging.js';

interface AgentCommandFlags extends AgentFlags, LogFlags {
  cluster: string;
  endpoint: string;
  region: string;
  launchType: 'EC2' | 'EXTERNAL';
  fargate?: boolean;
  dataDir: string;
  simulate?: number;
  simulatedCpus: number;
  simulatedMemory: number;
  hostAddress?: string;
}

function ipAddress(value: string): string {
  if (isIP(value) === 0) throw new InvalidArgumentError(`'${value}' is not an IP address: give the address the control plane's host reaches this host at, such as 192.0.2.10.`);
  return value;
}

function credentialsFromEnvironment(): AgentOptions['credentials'] {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to credentials of the control plane: the root's ('berth credentials' prints them on its host) or an IAM user's holding AmazonEC2ContainerServiceforEC2Role",
    );
  }
  return { accessKeyId, secretAccessKey, ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}) };
}

async function runAgents(flags: AgentCommandFlags, log: Logger): Promise<RunningAgent[]> {
  const base: Omit<AgentOptions, 'runtime' | 'log' | 'metadata'> = {
    endpoint: flags.endpoint,
    region: flags.region,
    credentials: credentialsFromEnvironment(),
    mode: flags.fargate ? 'fargate' : 'instance',
    cluster: flags.cluster,
    launchKind: flags.launchType,
    dataDir: flags.dataDir,
    ...(flags.hostAddress ? { hostAddress: flags.hostAddress } : {}),
    ...agentSettingsOf(flags, flags.region),
  };
  if (flags.simulate === undefined) {
    const runtime = new DockerRuntime(flags.dockerSocket ? { socketPath: flags.dockerSocket } : {});
    return [await startAgent({ ...base, runtime, metadata: true, log })];
  }
  log.warn({ instances: flags.simulate }, 'SIMULATION: these instances run no containers; tasks only pretend to run');
  const agents: RunningAgent[] = [];
  for (let index = 0; index < flags.simulate; index++) {
    const runtime = new SimulatedRuntime({ cpus: flags.simulatedCpus, memoryBytes: flags.simulatedMemory * 1024 * 1024 });
    agents.push(
      await startAgent({
        ...base,
        name: `simulated-${index}`,
        availabilityZone: flags.availabilityZone ?? `${flags.region}${'abc'[index % 3]}`,
        runtime,
        metadata: false,
        simulated: true,
        pullBehavior: 'prefer-cached',
        log: log.child({ simulated: index }),
      }),
    );
    if ((index + 1) % 100 === 0) log.info({ started: index + 1, of: flags.simulate }, 'simulated instances registered');
  }
  return agents;
}

/** Why the agent could not start, with what to do where the cause is a usual one. */
function startFailure(error: unknown, flags: AgentCommandFlags): string {
  const name = (error as { name?: string }).name;
  if (name === 'ClusterNotFoundException') {
    return [
      `cluster '${flags.cluster}' does not exist at ${flags.endpoint}.`,
      `Create it (aws ecs create-cluster --cluster-name ${flags.cluster} --endpoint-url ${flags.endpoint}), or pass --cluster with an existing one (aws ecs list-clusters).`,
    ].join(' ');
  }
  return (error as Error).message;
}

export function agentCommand(): Command {
  const command = new Command('agent')
    .description('join this host to a Berth control plane: register it as a container instance and run the tasks placed on it (credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: root, or an IAM user with AmazonEC2ContainerServiceforEC2Role)')
    .addOption(new Option('-c, --cluster <name>', 'the cluster to join').env('ECS_CLUSTER').default('default'))
    .addOption(new Option('-e, --endpoint <url>', 'the control plane').env('AWS_ENDPOINT_URL').default(`http://127.0.0.1:${defaults.port}`))
    .addOption(new Option('--region <region>', 'region of the cluster').env('AWS_DEFAULT_REGION').default(defaults.region))
    .addOption(new Option('--launch-type <type>', 'EXTERNAL (ECS Anywhere, mi- ids) or EC2 (i- ids)').choices(['EC2', 'EXTERNAL']).default('EXTERNAL'))
    .option('--fargate', 'offer this host as FARGATE capacity instead of registering a container instance (root credentials of the installation only)')
    .addOption(
      new Option('--host-address <ip>', "where the control plane's host reaches this host's task ports: load balancers send bridge and host mode targets' traffic there (the berth.host-address attribute; default: this host's address on its connection to the control plane)")
        .env('BERTH_AGENT_HOST_ADDRESS')
        .argParser(ipAddress),
    )
    .addOption(new Option('-d, --data-dir <dir>', "where the agent keeps its instance's identity across restarts").env('BERTH_AGENT_DATA_DIR').default(join(homedir(), '.berth-agent')));
  return withLogOptions(
    withAgentOptions(command)
      .option('--simulate <instances>', 'SIMULATION for scale tests: register this many instances that run no containers', wholeNumber('--simulate', 1))
      .option('--simulated-cpus <n>', 'cores of each simulated instance', wholeNumber('--simulated-cpus', 1), 4)
      .option('--simulated-memory <MiB>', 'memory of each simulated instance', wholeNumber('--simulated-memory', 1), 8192),
  )
    .action(async (flags: AgentCommandFlags) => {
      const log = cliLogger(flags);
      let agents: RunningAgent[];
      try {
        agents = await runAgents(flags, log);
      } catch (error) {
        process.stderr.write(`berth agent: could not start: ${startFailure(error, flags)}\n`);
        process.exit(1);
      }
      const where = agents[0]?.registration.containerInstanceArn ?? `FARGATE capacity host ${agents[0]?.registration.owner}`;
      process.stdout.write(`berth agent: running ${agents.length === 1 ? where : `${agents.length} simulated instances`} against ${flags.endpoint}\n`);
      const stop = async (signal: string) => {
        process.stdout.write(`berth agent: ${signal} received, stopping. Task containers keep running: the agent adopts them when it starts again.\n`);
        await Promise.all(agents.map((agent) => agent.stop()));
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}
