import { Command, InvalidArgumentError, Option } from 'commander';
import { checkConfig, configFromEnvironment, defaults, type BerthConfig } from '../config.js';
import { startServer, version, type RunningServer } from '../server.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { pino } from 'pino';
import type { RunningAgent } from '../agent/agent.js';
import { startLocalAgents } from '../agent/local.js';
import { agentCommand } from './agent-command.js';
import { signedFetch, type CliCredentials } from './signed-fetch.js';

const env = configFromEnvironment();

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  return parsed;
}

function withServerOptions(command: Command): Command {
  return command
    .addOption(new Option('-p, --port <port>', 'port of the API endpoint').env('BERTH_PORT').default(defaults.port).argParser(port))
    .addOption(new Option('--host <address>', 'address to listen on; anything but loopback exposes Berth to the network').env('BERTH_HOST').default(defaults.host))
    .addOption(new Option('-d, --data-dir <dir>', 'where Berth keeps its database and credentials').env('BERTH_DATA_DIR').default(defaults.dataDir))
    .addOption(new Option('--region <region>', 'the default region shown to users').env('BERTH_REGION').default(defaults.region))
    .addOption(new Option('--account-id <id>', 'the 12-digit id of the default account').env('BERTH_ACCOUNT_ID').default(defaults.accountId))
    .addOption(new Option('--log-level <level>', 'fatal, error, warn, info, debug or trace').env('BERTH_LOG_LEVEL').default(defaults.logLevel))
    .addOption(
      new Option('--registry-host <host[:port]>', "how docker and remote agents reach the registry: the host of repository URIs (default: the address Berth listens on)").env(
        'BERTH_REGISTRY_HOST',
      ),
    )
    .addOption(
      new Option('--agent-lost-after <seconds>', "seconds an instance's agent may stay disconnected before its service tasks are replaced elsewhere")
        .env('BERTH_AGENT_LOST_AFTER')
        .default(60)
        .argParser((value) => {
          const parsed = Number(value);
          if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('a whole number of seconds, at least 1.');
          return parsed;
        }),
    );
}

interface ServerFlags {
  port: number;
  host: string;
  dataDir: string;
  region: string;
  accountId: string;
  logLevel: string;
  registryHost?: string;
  agentLostAfter: number;
}

function configOf(flags: ServerFlags): BerthConfig {
  const { agentLostAfter, ...rest } = flags;
  const config: BerthConfig = { ...env, ...rest, agentLostAfterSeconds: agentLostAfter };
  const problems = checkConfig(config);
  if (problems.length > 0) {
    process.stderr.write(`berth: ${problems.join('; ')}\n`);
    process.exit(2);
  }
  return config;
}

function printBanner(server: RunningServer, config: BerthConfig, what: string): void {
  const { credentials } = server;
  const lines = [
    `Berth ${version} is up (${what}).`,
    `  endpoint:   ${server.url}`,
    `  region:     ${config.region}   account: ${config.accountId}`,
    `  data:       ${config.dataDir}`,
    `  health:     ${server.url}/_berth/health`,
    `  registry:   ${server.registry.host} (aws ecr get-login-password | docker login --username AWS --password-stdin ${server.registry.host})`,
    ...(server.createdCredentials ? ['  root credentials were created and saved in the data directory.'] : []),
    '',
    'Point the AWS CLI or SDKs at it:',
    `  export AWS_ACCESS_KEY_ID=${credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey} AWS_DEFAULT_REGION=${config.region} AWS_ENDPOINT_URL=${server.url}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

/** The agents of a single node, started in the background: they wait for the Docker engine if it is not up yet. */
function runLocalAgents(server: RunningServer, config: BerthConfig, dockerSocket: string | undefined): RunningAgent[] {
  const agents: RunningAgent[] = [];
  const log = pino({ level: config.logLevel }).child({ component: 'local-agent' });
  startLocalAgents({
    endpoint: server.url,
    region: config.region,
    credentials: { accessKeyId: server.credentials.accessKeyId, secretAccessKey: server.credentials.secretAccessKey },
    dataDir: `${config.dataDir}/agent`,
    cluster: 'default',
    log,
    ...(dockerSocket ? { dockerSocket } : {}),
  }).then(
    (started) => {
      agents.push(...started);
      process.stdout.write(`berth: local agent joined cluster 'default' (${started[0]?.registration.containerInstanceArn}) and serves FARGATE tasks.\n`);
    },
    (error: unknown) => process.stderr.write(`berth: the local agent could not start: ${(error as Error).message}\n`),
  );
  return agents;
}

async function serve(flags: ServerFlags & { localAgent?: boolean; dockerSocket?: string }, what: string): Promise<void> {
  const config = configOf(flags);
  let server: RunningServer;
  try {
    server = await startServer(config);
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    const hint = err.code === 'EADDRINUSE' ? ` Port ${config.port} is taken: stop what uses it or pass --port.` : '';
    process.stderr.write(`berth: could not start: ${err.message}.${hint}\n`);
    process.exit(1);
  }
  printBanner(server, config, what);
  const agents = flags.localAgent ? runLocalAgents(server, config, flags.dockerSocket) : [];
  // After a reset, the local agents register again (creating cluster 'default') before the reset
  // is answered: `berth up` is then as it was right after its first start.
  server.afterReset(async () => {
    await Promise.all(agents.map((agent) => agent.rejoin()));
  });
  const stop = async (signal: string) => {
    process.stdout.write(`berth: ${signal} received, stopping.\n`);
    await Promise.all(agents.map((agent) => agent.stop()));
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

async function cliCredentials(dataDir: string, accountId: string): Promise<CliCredentials> {
  if (process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY) {
    return { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY };
  }
  const store = new SqliteStore(dataDir);
  try {
    const root = await store.read((tx) => tx.credentials.findRoot(accountId));
    if (!root) throw new Error(`no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or start Berth once with --data-dir ${dataDir}`);
    return root;
  } finally {
    await store.close();
  }
}

const program = new Command('berth')
  .description('Amazon ECS and ECR APIs on machines you own: the AWS CLI, SDKs and docker work against it by changing only the endpoint.')
  .version(version);

withServerOptions(
  program
    .command('up')
    .description("run everything on this machine: the control plane, plus a local agent that joins cluster 'default' and serves FARGATE tasks on the local Docker engine"),
)
  .option('--no-local-agent', 'run the control plane only, with no local agent')
  .option('--docker-socket <path>', 'the Docker engine socket (default: DOCKER_HOST or /var/run/docker.sock)')
  .action((flags: ServerFlags & { localAgent: boolean; dockerSocket?: string }) => serve(flags, 'single node'));

withServerOptions(program.command('server').description('run the control plane alone (the ECS API and its store)')).action((flags: ServerFlags) =>
  serve(flags, 'control plane'),
);

program.addCommand(agentCommand());

program
  .command('credentials')
  .description("print the default account's root credentials as an export line")
  .addOption(new Option('-d, --data-dir <dir>', 'Berth data directory').env('BERTH_DATA_DIR').default(defaults.dataDir))
  .addOption(new Option('--account-id <id>', 'account').env('BERTH_ACCOUNT_ID').default(defaults.accountId))
  .action(async (flags: { dataDir: string; accountId: string }) => {
    const store = new SqliteStore(flags.dataDir);
    const root = await store.read((tx) => tx.credentials.findRoot(flags.accountId));
    await store.close();
    if (!root) {
      process.stderr.write(`berth: no credentials in ${flags.dataDir} yet; start Berth once with 'berth up'.\n`);
      process.exit(1);
    }
    process.stdout.write(`export AWS_ACCESS_KEY_ID=${root.accessKeyId} AWS_SECRET_ACCESS_KEY=${root.secretAccessKey}\n`);
  });

program
  .command('reset')
  .description('delete every resource of a running Berth (root credentials only); for isolating integration tests')
  .addOption(new Option('-e, --endpoint <url>', 'the Berth endpoint').env('AWS_ENDPOINT_URL').default(`http://127.0.0.1:${defaults.port}`))
  .addOption(new Option('-d, --data-dir <dir>', 'read root credentials here when AWS_ACCESS_KEY_ID is unset').env('BERTH_DATA_DIR').default(defaults.dataDir))
  .addOption(new Option('--account-id <id>', 'account').env('BERTH_ACCOUNT_ID').default(defaults.accountId))
  .addOption(new Option('--region <region>', 'region to sign with').env('AWS_DEFAULT_REGION').default(defaults.region))
  .action(async (flags: { endpoint: string; dataDir: string; accountId: string; region: string }) => {
    const credentials = await cliCredentials(flags.dataDir, flags.accountId);
    const response = await signedFetch(flags.endpoint, '/_berth/reset', { credentials, region: flags.region, service: 'berth' });
    const text = await response.text();
    if (!response.ok) {
      process.stderr.write(`berth: reset refused (${response.status}): ${text}\n`);
      process.exit(1);
    }
    process.stdout.write('berth: every resource was deleted.\n');
  });

function jsonOption(name: string, example = '[{"type":"spread","field":"attribute:ecs.availability-zone"}]') {
  return (value: string): unknown => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new InvalidArgumentError(`${name} must be JSON, e.g. '${example}'.`);
    }
  };
}

/** explain-placement's exit status when some of the tasks would not be placed. */
const notPlacedExitCode = 3;

program
  .command('explain-placement')
  .description(`show, instance by instance, why tasks of a definition would or would not be placed (nothing is started); exits ${notPlacedExitCode} when some would not be`)
  .requiredOption('-t, --task-definition <family[:revision]|arn>', 'the task definition to place')
  .option('-c, --cluster <name|arn>', 'the cluster (default: "default")')
  .option('-n, --count <n>', 'how many tasks to place, 1 to 10', (value) => Number(value), 1)
  .addOption(new Option('--launch-type <type>', 'the launch type, as in RunTask').choices(['EC2', 'EXTERNAL', 'FARGATE']))
  .option(
    '--network-configuration <json>',
    'RunTask networkConfiguration as JSON (needed for awsvpc task definitions), e.g. \'{"awsvpcConfiguration":{"subnets":["subnet-local"]}}\'',
    jsonOption('--network-configuration', '{"awsvpcConfiguration":{"subnets":["subnet-local"]}}'),
  )
  .option('--group <group>', 'task group (default family:<family>)')
  .option('--placement-constraints <json>', 'RunTask placementConstraints as JSON', jsonOption('--placement-constraints', '[{"type":"distinctInstance"}]'))
  .option('--placement-strategy <json>', 'RunTask placementStrategy as JSON', jsonOption('--placement-strategy'))
  .option('--json', 'print the whole answer as JSON')
  .addOption(new Option('-e, --endpoint <url>', 'the Berth endpoint').env('AWS_ENDPOINT_URL').default(`http://127.0.0.1:${defaults.port}`))
  .addOption(new Option('-d, --data-dir <dir>', 'read root credentials here when AWS_ACCESS_KEY_ID is unset').env('BERTH_DATA_DIR').default(defaults.dataDir))
  .addOption(new Option('--account-id <id>', 'account').env('BERTH_ACCOUNT_ID').default(defaults.accountId))
  .addOption(new Option('--region <region>', 'region of the cluster').env('AWS_DEFAULT_REGION').default(defaults.region))
  .action(async (flags: {
    taskDefinition: string;
    cluster?: string;
    count: number;
    launchType?: string;
    group?: string;
    placementConstraints?: unknown;
    placementStrategy?: unknown;
    networkConfiguration?: unknown;
    json?: boolean;
    endpoint: string;
    dataDir: string;
    accountId: string;
    region: string;
  }) => {
    const credentials = await cliCredentials(flags.dataDir, flags.accountId);
    const body = JSON.stringify({
      taskDefinition: flags.taskDefinition,
      count: flags.count,
      ...(flags.cluster ? { cluster: flags.cluster } : {}),
      ...(flags.launchType ? { launchType: flags.launchType } : {}),
      ...(flags.group ? { group: flags.group } : {}),
      ...(flags.placementConstraints ? { placementConstraints: flags.placementConstraints } : {}),
      ...(flags.placementStrategy ? { placementStrategy: flags.placementStrategy } : {}),
      ...(flags.networkConfiguration ? { networkConfiguration: flags.networkConfiguration } : {}),
    });
    const response = await signedFetch(flags.endpoint, '/', {
      credentials,
      region: flags.region,
      service: 'berth',
      body,
      headers: { 'x-amz-target': 'Berth_20261101.ExplainPlacement' },
    });
    const answer = (await response.json()) as { lines?: string[]; __type?: string; message?: string; berthHelp?: { hint?: string }; placedAll?: boolean };
    if (!response.ok) {
      process.stderr.write(`berth: ${answer.__type ?? response.status}: ${answer.message ?? ''}${answer.berthHelp?.hint ? `\n  ${answer.berthHelp.hint}` : ''}\n`);
      process.exit(1);
    }
    process.stdout.write(flags.json ? `${JSON.stringify(answer, null, 2)}\n` : `${(answer.lines ?? []).join('\n')}\n`);
    if (answer.placedAll === false) process.exit(notPlacedExitCode);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`berth: ${(error as Error).message}\n`);
  process.exit(1);
});
