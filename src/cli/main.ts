import { resolve as resolvePath } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseByteSize } from '../core/byte-size.js';
import { defaultMaxBlobBytes } from '../registry/limits.js';
import { defaultAddressRange } from '../elbv2/addresses.js';
import { checkConfig, configFromEnvironment, defaults, metricPeriods, regionList, type BerthConfig } from '../config.js';
import { metricsAllowList, metricsAllowProblems } from '../telemetry/access.js';
import { defaultConnectionLimits } from '../edge/connection-limits.js';
import { startServer, version, type RunningServer } from '../server.js';
import { systemClock } from '../core/clock.js';
import { ensureStandardRoles, standardRoles } from '../iam/standard-roles.js';
import type { Logger } from 'pino';
import type { RunningAgent } from '../agent/agent.js';
import { startLocalAgents } from '../agent/local-agents.js';
import { socketPathFromEnvironment } from '../agent/runtime/docker-runtime.js';
import { accountsCommand } from './accounts-command.js';
import { agentCommand } from './agent-command.js';
import { agentSettingsOf, withAgentOptions, type AgentFlags } from './agent-options.js';
import { secureDirectory, shellQuoted } from '../store/data-dir.js';
import { credentialsCommand, exportLine } from './credentials-command.js';
import { downCommand } from './down-command.js';
import { explainPlacementCommand } from './explain-placement-command.js';
import { logsCommand } from './logs/logs-command.js';
import { whyDeniedCommand } from './why-denied-command.js';
import { cliLogger, withLogOptions, type LogFlags } from './logging.js';
import { pruneCommand } from './prune-command.js';
import { resetCommand } from './reset-command.js';
import { recordThisProcess } from './run-record.js';
import { statusCommand } from './status-command.js';

const env = configFromEnvironment();

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  return parsed;
}

function positiveSeconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('a positive number of seconds.');
  return parsed;
}

function atLeastOne(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('a whole number, at least 1.');
  return parsed;
}

/** The edge's timeouts, connection bounds and extra regions. */
function withEdgeOptions(command: Command): Command {
  const limits = defaultConnectionLimits();
  return command
    .addOption(
      new Option('--extra-regions <regions>', "regions to accept in signatures besides AWS's own, comma-separated (e.g. lab-east-1)")
        .env('BERTH_EXTRA_REGIONS')
        .argParser(regionList),
    )
    .addOption(
      new Option('--headers-timeout <seconds>', "seconds a client has to send a request's headers")
        .env('BERTH_HEADERS_TIMEOUT')
        .default(limits.headersTimeoutMs / 1000)
        .argParser(positiveSeconds),
    )
    .addOption(
      new Option('--idle-timeout <seconds>', 'seconds a connection may stay silent, mid-body or between requests, before it is closed')
        .env('BERTH_IDLE_TIMEOUT')
        .default(limits.idleTimeoutMs / 1000)
        .argParser(positiveSeconds),
    )
    .addOption(
      new Option('--max-connections <count>', 'connections held at once in all; the default stays below the open-files limit')
        .env('BERTH_MAX_CONNECTIONS')
        .default(limits.maxConnections)
        .argParser(atLeastOne),
    )
    .addOption(
      new Option('--max-connections-per-client <count>', 'connections held at once from one client address')
        .env('BERTH_MAX_CONNECTIONS_PER_CLIENT')
        .default(limits.maxConnectionsPerClient)
        .argParser(atLeastOne),
    );
}

function byteSize(value: string): number {
  const parsed = parseByteSize(value);
  if (parsed === undefined) throw new InvalidArgumentError('a size in bytes, or with a unit: 512MiB, 10GiB, 1TiB.');
  return parsed;
}

function withServerOptions(command: Command): Command {
  withEdgeOptions(command)
    .addOption(new Option('-p, --port <port>', 'port of the API endpoint').env('BERTH_PORT').default(defaults.port).argParser(port))
    .addOption(new Option('--host <address>', 'address to listen on; anything but loopback exposes Berth to the network').env('BERTH_HOST').default(defaults.host))
    .addOption(new Option('-d, --data-dir <dir>', 'where Berth keeps its database and credentials').env('BERTH_DATA_DIR').default(defaults.dataDir))
    .addOption(
      new Option('--key-file <file>', 'the key that seals secrets in the data directory; kept apart from it (default: ~/.config/berth/secrets.key, created on first start)').env(
        'BERTH_KEY_FILE',
      ),
    )
    .addOption(new Option('--region <region>', 'the default region shown to users').env('BERTH_REGION').default(defaults.region))
    .addOption(new Option('--account-id <id>', 'the 12-digit id of the default account').env('BERTH_ACCOUNT_ID').default(defaults.accountId))
    .addOption(
      new Option('--registry-host <host[:port]>', "how docker and remote agents reach the registry: the host of repository URIs (default: the address Berth listens on)").env(
        'BERTH_REGISTRY_HOST',
      ),
    )
    .addOption(
      new Option('--registry-max-blob-size <size>', 'the largest blob (image layer or config) the registry takes; larger uploads are refused and discarded')
        .env('BERTH_REGISTRY_MAX_BLOB_SIZE')
        .default(defaultMaxBlobBytes, '10GiB')
        .argParser(byteSize),
    )
    .addOption(
      new Option('--registry-account-quota <size>', "the most one account's repositories may hold (blobs and uploads in progress); default: no quota")
        .env('BERTH_REGISTRY_ACCOUNT_QUOTA')
        .argParser(byteSize),
    )
    .addOption(
      new Option('--log-storage-max-size <size>', "the most CloudWatch Logs' events may take on disk (logs.db); past it PutLogEvents is refused; default: no limit")
        .env('BERTH_LOG_STORAGE_MAX_SIZE')
        .argParser(byteSize),
    )
    .addOption(
      new Option('--load-balancer-addresses <cidr>', 'the IPv4 range each load balancer gets its own loopback address from')
        .env('BERTH_LOAD_BALANCER_ADDRESSES')
        .default(defaultAddressRange),
    )
    .addOption(
      new Option('--load-balancer-data-plane <kind>', "what forwards load balancers' traffic: embedded (Berth's own, needs nothing) or haproxy (Debian's haproxy, for throughput)")
        .choices(['embedded', 'haproxy'])
        .env('BERTH_LOAD_BALANCER_DATA_PLANE')
        .default('embedded'),
    )
    .addOption(
      new Option('--load-balancer-access-log <file>', "append every Application Load Balancer's access log (one line per request, ALB's fields) to this file; default: none")
        .env('BERTH_LOAD_BALANCER_ACCESS_LOG')
        .argParser((value: string) => resolvePath(value)),
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
    )
    .addOption(
      new Option('--agent-ping-interval <seconds>', 'seconds between pings to each agent; an agent that has not answered by the next ping is disconnected')
        .env('BERTH_AGENT_PING_INTERVAL')
        .default(10)
        .argParser((value) => {
          const parsed = Number(value);
          if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('a whole number of seconds, at least 1.');
          return parsed;
        }),
    )
    .addOption(
      new Option('--metric-period-seconds <seconds>', "the period of Berth's own CloudWatch metrics (AWS/ECS, AWS/ApplicationELB); 60 as in AWS, or 1, 5, 10, 30 for faster feedback")
        .env('BERTH_METRIC_PERIOD')
        .default(60)
        .argParser((value) => {
          const parsed = Number(value);
          if (!(metricPeriods as readonly number[]).includes(parsed)) throw new InvalidArgumentError(`one of ${metricPeriods.join(', ')} seconds.`);
          return parsed;
        }),
    )
    .addOption(
      new Option(
        '--metrics-allow <ranges>',
        "comma-separated address ranges (10.0.0.0/8, 192.168.1.5/32, ::1/128) that may read Berth's own Prometheus metrics at GET /metrics on the edge port; replaces the default, loopback only (127.0.0.0/8, ::1)",
      )
        .env('BERTH_METRICS_ALLOW')
        .argParser((value) => {
          const ranges = metricsAllowList(value);
          const problems = metricsAllowProblems(ranges);
          if (problems.length > 0) throw new InvalidArgumentError(`${problems.join('; ')}.`);
          return ranges;
        }),
    );
  return withLogOptions(command);
}

interface ServerFlags extends LogFlags {
  port: number;
  host: string;
  dataDir: string;
  region: string;
  accountId: string;
  registryHost?: string;
  keyFile?: string;
  agentLostAfter: number;
  agentPingInterval: number;
  extraRegions?: string[];
  headersTimeout: number;
  idleTimeout: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
  registryMaxBlobSize: number;
  registryAccountQuota?: number;
  logStorageMaxSize?: number;
  loadBalancerAddresses: string;
  loadBalancerDataPlane: 'embedded' | 'haproxy';
  loadBalancerAccessLog?: string;
  metricPeriodSeconds: number;
  metricsAllow?: string[];
}

function configOf(flags: ServerFlags): BerthConfig {
  const { port, host, dataDir, region, accountId, logLevel, registryHost, keyFile, agentLostAfter, agentPingInterval, extraRegions } = flags;
  const { registryMaxBlobSize, registryAccountQuota } = flags;
  const config: BerthConfig = {
    ...env,
    port,
    host,
    dataDir,
    region,
    accountId,
    logLevel,
    ...(registryHost !== undefined ? { registryHost } : {}),
    ...(keyFile !== undefined ? { keyFile } : {}),
    agentLostAfterSeconds: agentLostAfter,
    agentPingIntervalSeconds: agentPingInterval,
    ...(extraRegions !== undefined ? { extraRegions } : {}),
    headersTimeoutSeconds: flags.headersTimeout,
    idleTimeoutSeconds: flags.idleTimeout,
    maxConnections: flags.maxConnections,
    maxConnectionsPerClient: flags.maxConnectionsPerClient,
    registryMaxBlobBytes: registryMaxBlobSize,
    ...(registryAccountQuota !== undefined ? { registryAccountQuotaBytes: registryAccountQuota } : {}),
    ...(flags.logStorageMaxSize !== undefined ? { logStorageMaxBytes: flags.logStorageMaxSize } : {}),
    loadBalancerAddresses: flags.loadBalancerAddresses,
    loadBalancerDataPlane: flags.loadBalancerDataPlane,
    ...(flags.loadBalancerAccessLog !== undefined ? { loadBalancerAccessLog: flags.loadBalancerAccessLog } : {}),
    metricPeriodSeconds: flags.metricPeriodSeconds,
    ...(flags.metricsAllow !== undefined ? { metricsAllow: flags.metricsAllow } : {}),
  };
  const problems = checkConfig(config);
  if (problems.length > 0) {
    process.stderr.write(`berth: ${problems.join('; ')}\n`);
    process.exit(2);
  }
  return config;
}

/** The `berth credentials` command that prints this server's export line: with the flags that differ from the defaults. */
function credentialsCommandFor(config: BerthConfig): string {
  const flags = [
    ...(config.dataDir !== defaults.dataDir ? ['--data-dir', shellQuoted(config.dataDir)] : []),
    ...(config.keyFile !== undefined ? ['--key-file', shellQuoted(config.keyFile)] : []),
    ...(config.accountId !== defaults.accountId ? ['--account-id', config.accountId] : []),
    ...(config.region !== defaults.region ? ['--region', config.region] : []),
  ];
  return ['berth credentials', ...flags].join(' ');
}

/**
 * Printed once the local agents have joined (or could not), so that no start-up log scrolls it away.
 * The root secret key is shown once, when this start created it; afterwards the banner says how to
 * print it, so that it does not land in every terminal scroll-back and captured log.
 */
function printBanner(server: RunningServer, config: BerthConfig, what: string, agentLines: string[], createdRoles: readonly string[]): void {
  const { credentials } = server;
  const access = server.createdCredentials
    ? [
        '  root credentials were created and saved in the data directory; the secret key is shown this once.',
        '',
        `Point the AWS CLI or SDKs at it (${credentialsCommandFor(config)} prints this line again):`,
        `  ${exportLine(credentials, config.region, server.url)}`,
      ]
    : ['', 'Point the AWS CLI or SDKs at it (this sets the root credentials kept in the data directory):', `  eval "$(${credentialsCommandFor(config)})"`];
  const lines = [
    '',
    `Berth ${version} is up (${what}).`,
    `  endpoint:   ${server.url}`,
    `  region:     ${config.region}   account: ${config.accountId}`,
    `  data:       ${config.dataDir}`,
    `  health:     ${server.url}/_berth/health`,
    `  registry:   ${server.registry.host} (aws ecr get-login-password | docker login --username AWS --password-stdin ${server.registry.host})`,
    `  log:        ${config.dataDir}/berth.log (every request, at debug level)`,
    `  roles:      ${standardRoles.map((role) => role.name).join(', ')} (${createdRoles.length > 0 ? `created now: ${createdRoles.join(', ')}` : 'present'}; arn:aws:iam::${config.accountId}:role/<name>)`,
    ...agentLines,
    ...access,
    '',
    ...(agentLines.length > 0 ? ["Ctrl-C stops Berth and leaves task containers running (the next start adopts them); 'berth down' stops them too.", ''] : []),
  ];
  process.stdout.write(lines.join('\n'));
}

/** How long the banner waits for the local agents to join before it says they are still starting. */
const agentJoinWaitMs = 20_000;
/** How long, once they have joined, it waits for their channels to open (whose logs would otherwise follow it). */
const channelOpenWaitMs = 3_000;

async function channelsOpen(agents: RunningAgent[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (agents.some((agent) => !agent.channel.connected) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}

/**
 * The agents of a single node, started in the background: they wait for the Docker engine if it is
 * not up yet. `joined` settles with the banner's lines about them once they have joined, failed, or
 * not joined within agentJoinWaitMs.
 */
function runLocalAgents(
  server: RunningServer,
  config: BerthConfig,
  flags: AgentFlags,
  log: Logger,
): { agents: RunningAgent[]; joined: Promise<string[]> } {
  const agents: RunningAgent[] = [];
  const started = startLocalAgents({
    endpoint: server.url,
    region: config.region,
    credentials: { accessKeyId: server.credentials.accessKeyId, secretAccessKey: server.credentials.secretAccessKey },
    dataDir: `${config.dataDir}/agent`,
    cluster: 'default',
    log: log.child({ component: 'local-agent' }),
    ...(flags.dockerSocket ? { dockerSocket: flags.dockerSocket } : {}),
    // Unless told otherwise, samples as often as the server publishes: each period's point rests on the period's own samples.
    overrides: { statsIntervalMs: server.metrics.periodSeconds * 1000, ...agentSettingsOf(flags, config.region) },
  });
  const joinedText = (running: RunningAgent[]) => {
    const arn = running[0]?.registration.containerInstanceArn ?? '';
    return `joined cluster 'default' as container instance ${arn.slice(arn.lastIndexOf('/') + 1)}, and serves FARGATE tasks`;
  };
  const outcome = started.then(
    async (running) => {
      agents.push(...running);
      await channelsOpen(running, channelOpenWaitMs);
      return { ok: true, text: joinedText(running) };
    },
    (error: unknown) => ({ ok: false, text: `could not start: ${(error as Error).message}` }),
  );
  let gaveUp = false;
  const waiting = new Promise<string[]>((resolve) => {
    const timer = setTimeout(() => {
      gaveUp = true;
      const socket = flags.dockerSocket ?? socketPathFromEnvironment();
      resolve([`  agent:      still starting: is the Docker engine at ${socket} running? A line follows when it joins.`]);
    }, agentJoinWaitMs);
    void outcome.then(() => clearTimeout(timer));
  });
  const joined = Promise.race([
    outcome.then(({ ok, text }) => [`  agent:      ${text}`, ...(ok ? [] : ["              no task can run here: fix the cause, then start 'berth up' again"])]),
    waiting,
  ]);
  // The banner gave up waiting: the outcome gets a line of its own.
  void outcome.then(({ text }) => gaveUp && process.stdout.write(`berth: the local agent ${text}\n`));
  return { agents, joined };
}

async function serve(flags: ServerFlags & Partial<AgentFlags> & { localAgent?: boolean }, what: string): Promise<void> {
  const config = configOf(flags);
  try {
    // Before the log file is written into it.
    secureDirectory(config.dataDir);
  } catch (error) {
    process.stderr.write(`berth: could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const log = cliLogger(flags, { dataDir: config.dataDir });
  let server: RunningServer;
  try {
    server = await startServer(config, { log });
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    const hint = err.code === 'EADDRINUSE' ? ` Port ${config.port} is taken: stop what uses it or pass --port.` : '';
    process.stderr.write(`berth: could not start: ${err.message}.${hint}\n`);
    process.exit(1);
  }
  // The roles ECS's guides name, in the installation's account: created when missing, and again after a reset.
  const createdRoles = await ensureStandardRoles(server.store, config.accountId, systemClock);
  server.afterReset(async (scope) => {
    if (scope.kind === 'installation' || scope.accountId === config.accountId) await ensureStandardRoles(server.store, config.accountId, systemClock);
  });
  const forget = recordThisProcess(config.dataDir, flags.localAgent ? 'up' : 'server', server.url);
  const local = flags.localAgent ? runLocalAgents(server, config, flags as AgentFlags, log) : undefined;
  // Agents join while the banner waits for them: the list fills as they do.
  const agents = local?.agents ?? [];
  // After a reset, the local agents register again (creating cluster 'default') before the reset
  // is answered: `berth up` is then as it was right after its first start.
  // An account's reset concerns the local agents only when it is their account (the installation's):
  // the instance registers again, while the FARGATE host, which serves every account, keeps its channel.
  server.afterReset(async (scope) => {
    const concerned = scope.kind === 'installation' ? agents : scope.accountId === config.accountId ? agents.filter((agent) => agent.registration.containerInstanceArn) : [];
    await Promise.all(concerned.map((agent) => agent.rejoin()));
  });
  const stop = async (signal: string) => {
    process.stdout.write(
      `berth: ${signal} received, stopping.${local ? " Task containers keep running: the next 'berth up' adopts them; 'berth down' stops them." : ''}\n`,
    );
    await Promise.all(agents.map((agent) => agent.stop()));
    await server.close();
    forget();
    process.exit(0);
  };
  // Handled from the start: a Ctrl-C while the banner waits for the agents still stops cleanly.
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  printBanner(server, config, what, local ? await local.joined : [], createdRoles);
}

const program = new Command('berth')
  .description('Amazon ECS and ECR APIs on machines you own: the AWS CLI, SDKs and docker work against it by changing only the endpoint.')
  .version(version);

withAgentOptions(
  withServerOptions(
    program
      .command('up')
      .summary('everything on this machine: the control plane and local agents')
      .description(
        "run everything on this machine: the control plane, plus local agents that join cluster 'default' and serve FARGATE tasks on the local Docker engine. Stopping it leaves task containers running; 'berth down' stops them",
      ),
  ).option('--no-local-agent', 'run the control plane only, with no local agent'),
).action((flags: ServerFlags & AgentFlags & { localAgent: boolean }) => serve(flags, 'single node'));

withServerOptions(program.command('server').description('run the control plane alone (the ECS API and its store)')).action((flags: ServerFlags) =>
  serve(flags, 'control plane'),
);

program.addCommand(agentCommand());
program.addCommand(credentialsCommand());
program.addCommand(statusCommand());
program.addCommand(downCommand());
program.addCommand(pruneCommand());
program.addCommand(resetCommand());
program.addCommand(explainPlacementCommand());
program.addCommand(accountsCommand());
program.addCommand(whyDeniedCommand());
program.addCommand(logsCommand());

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`berth: ${(error as Error).message}\n`);
  process.exit(1);
});
