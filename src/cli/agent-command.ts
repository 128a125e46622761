/** `berth agent`: joins this host to a Berth control plane, ECS Anywhere style. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { pino, type Logger } from 'pino';
import { startAgent, type AgentOptions, type RunningAgent } from '../agent/agent.js';
import { agentDefaults } from '../agent/local.js';
import { DockerRuntime } from '../agent/runtime/docker-runtime.js';
import { defaultAwsvpcSubnet } from '../agent/runtime/network.js';
import { SimulatedRuntime } from '../agent/simulated/simulated-runtime.js';
import { defaults } from '../config.js';

interface AgentFlags {
  cluster: string;
  endpoint: string;
  region: string;
  launchType: 'EC2' | 'EXTERNAL';
  fargate?: boolean;
  dataDir: string;
  availabilityZone?: string;
  reservedMemory: number;
  reservedPorts: number[];
  imagePullBehavior: AgentOptions['pullBehavior'];
  cleanupDelay: number;
  awsvpcSubnet: string;
  pauseImage?: string;
  dockerSocket?: string;
  simulate?: number;
  simulatedCpus: number;
  simulatedMemory: number;
  logLevel: string;
}

function wholeNumber(name: string, min = 0) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`${name} must be a whole number of at least ${min}.`);
    return parsed;
  };
}

function portList(value: string): number[] {
  if (value.trim() === '') return [];
  return value.split(',').map((item) => {
    const port = Number(item.trim());
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`'${item}' is not a port (1–65535).`);
    return port;
  });
}

function credentialsFromEnvironment(): AgentOptions['credentials'] {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to credentials of the control plane (on its host, 'berth credentials' prints them)");
  }
  return { accessKeyId, secretAccessKey, ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}) };
}

async function runAgents(flags: AgentFlags, log: Logger): Promise<RunningAgent[]> {
  const base: Omit<AgentOptions, 'runtime' | 'log' | 'metadata'> = {
    endpoint: flags.endpoint,
    region: flags.region,
    credentials: credentialsFromEnvironment(),
    mode: flags.fargate ? 'fargate' : 'instance',
    cluster: flags.cluster,
    launchKind: flags.launchType,
    dataDir: flags.dataDir,
    availabilityZone: flags.availabilityZone ?? `${flags.region}a`,
    reservedMemoryMiB: flags.reservedMemory,
    reservedPorts: flags.reservedPorts,
    pullBehavior: flags.imagePullBehavior,
    cleanupDelayMs: flags.cleanupDelay * 1000,
    awsvpcSubnet: flags.awsvpcSubnet,
    ...(flags.pauseImage ? { pauseImage: flags.pauseImage } : {}),
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

export function agentCommand(): Command {
  return new Command('agent')
    .description('join this host to a Berth control plane: register it as a container instance and run the tasks placed on it (credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)')
    .addOption(new Option('-c, --cluster <name>', 'the cluster to join').env('ECS_CLUSTER').default('default'))
    .addOption(new Option('-e, --endpoint <url>', 'the control plane').env('AWS_ENDPOINT_URL').default(`http://127.0.0.1:${defaults.port}`))
    .addOption(new Option('--region <region>', 'region of the cluster').env('AWS_DEFAULT_REGION').default(defaults.region))
    .addOption(new Option('--launch-type <type>', 'EXTERNAL (ECS Anywhere, mi- ids) or EC2 (i- ids)').choices(['EC2', 'EXTERNAL']).default('EXTERNAL'))
    .option('--fargate', 'offer this host as FARGATE capacity instead of registering a container instance (root credentials of the installation only)')
    .addOption(new Option('-d, --data-dir <dir>', "where the agent keeps its instance's identity across restarts").env('BERTH_AGENT_DATA_DIR').default(join(homedir(), '.berth-agent')))
    .option('--availability-zone <zone>', 'the ecs.availability-zone attribute (default: <region>a)')
    .option('--reserved-memory <MiB>', 'memory kept back from tasks', wholeNumber('--reserved-memory'), agentDefaults.reservedMemoryMiB)
    .option('--reserved-ports <list>', 'host ports tasks may not take, comma-separated', portList, agentDefaults.reservedPorts)
    .addOption(
      new Option('--image-pull-behavior <behavior>', 'default: pull, falling back to a cached image; always: pull or fail; prefer-cached: pull only when absent')
        .choices(['default', 'always', 'prefer-cached'])
        .default(agentDefaults.pullBehavior),
    )
    .option('--cleanup-delay <seconds>', 'how long stopped containers stay (for docker logs) before removal', wholeNumber('--cleanup-delay'), agentDefaults.cleanupDelaySeconds)
    .option('--awsvpc-subnet <cidr>', 'subnet of the Docker network awsvpc tasks get their addresses from', defaultAwsvpcSubnet)
    .option('--pause-image <image>', 'image holding awsvpc tasks\' network namespaces (default: built locally, x86_64 only)')
    .option('--docker-socket <path>', 'the Docker engine socket (default: DOCKER_HOST or /var/run/docker.sock)')
    .option('--simulate <instances>', 'SIMULATION for scale tests: register this many instances that run no containers', wholeNumber('--simulate', 1))
    .option('--simulated-cpus <n>', 'cores of each simulated instance', wholeNumber('--simulated-cpus', 1), 4)
    .option('--simulated-memory <MiB>', 'memory of each simulated instance', wholeNumber('--simulated-memory', 1), 8192)
    .addOption(new Option('--log-level <level>', 'fatal, error, warn, info, debug or trace').env('BERTH_LOG_LEVEL').default('info'))
    .action(async (flags: AgentFlags) => {
      const log = pino({ level: flags.logLevel });
      let agents: RunningAgent[];
      try {
        agents = await runAgents(flags, log);
      } catch (error) {
        process.stderr.write(`berth agent: could not start: ${(error as Error).message}\n`);
        process.exit(1);
      }
      const where = agents[0]?.registration.containerInstanceArn ?? `FARGATE capacity host ${agents[0]?.registration.owner}`;
      process.stdout.write(`berth agent: running ${agents.length === 1 ? where : `${agents.length} simulated instances`} against ${flags.endpoint}\n`);
      const stop = async (signal: string) => {
        process.stdout.write(`berth agent: ${signal} received, stopping (containers keep running).\n`);
        await Promise.all(agents.map((agent) => agent.stop()));
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}
