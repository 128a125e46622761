/**
 * `berth logs`: a task's or a service's container output, from CloudWatch Logs where the task
 * definition says awslogs (DescribeTasks, DescribeTaskDefinition, then GetLogEvents per stream),
 * and clear words with how to see it where it does not. `-f` follows each stream with its forward
 * token: the same token back means nothing new, and the next poll waits longer (up to 5 s).
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, type ContainerDefinition, type Task } from '@aws-sdk/client-ecs';
import { Command, InvalidArgumentError } from 'commander';
import { cliCredentials, endpointOf, withClientOptions, type ClientFlags } from '../client-options.js';
import type { CliCredentials } from '../signed-fetch.js';
import { prefixOf, sinceMillis, sourcesOf, type Source } from './sources.js';

interface LogsFlags extends ClientFlags {
  cluster: string;
  task?: string;
  service?: string;
  container?: string;
  follow?: boolean;
  since?: number;
}

type Awslogs = Extract<Source, { kind: 'awslogs' }>;

interface Followed {
  source: Awslogs;
  token?: string;
}

const maxPollMs = 5_000;

export function logsCommand(): Command {
  const command = new Command('logs')
    .description(
      "print a task's or a service's container output from CloudWatch Logs (containers whose task definition logs with awslogs), each line prefixed with its container (and task, for a service); other containers are named with where their output is",
    )
    .option('-c, --cluster <name|arn>', 'the cluster', 'default')
    .option('-t, --task <id|arn>', 'the task')
    .option('-s, --service <name>', "the service: its running tasks (and the stopped ones ECS still lists); with -f, tasks it starts later too")
    .option('--container <name>', 'only this container')
    .option('-f, --follow', 'keep printing new lines as they arrive, until interrupted')
    .option('--since <time>', 'only lines from this long ago (30s, 10m, 2h, 1d, 1h30m) or this ISO 8601 time on (default: all)', (value) => {
      const start = sinceMillis(value, Date.now());
      if (start === undefined) throw new InvalidArgumentError('a duration such as 10m, 2h or 1h30m, or an ISO 8601 time such as 2026-01-31T12:00:00Z.');
      return start;
    });
  return withClientOptions(command).action(async (flags: LogsFlags) => {
    if ((flags.task === undefined) === (flags.service === undefined)) throw new Error('give either --task <id> or --service <name>');
    const credentials = await cliCredentials(flags.dataDir, flags.accountId, flags.keyFile);
    await new LogsReader(flags, endpointOf(flags), credentials).run();
  });
}

class LogsReader {
  private readonly ecs: ECSClient;
  private readonly clients = new Map<string, CloudWatchLogsClient>();
  private readonly definitions = new Map<string, ContainerDefinition[]>();
  private readonly followed = new Map<string, Followed>();
  private readonly told = new Set<string>();

  constructor(
    private readonly flags: LogsFlags,
    private readonly endpoint: string,
    private readonly credentials: CliCredentials,
  ) {
    this.ecs = new ECSClient({ endpoint, region: flags.region, credentials, maxAttempts: 2 });
  }

  async run(): Promise<void> {
    try {
      const sources = await this.sources();
      const withTask = this.flags.service !== undefined;
      // What is there now, all streams' lines in time order.
      const lines: { timestamp: number; text: string }[] = [];
      for (const source of sources) {
        const followed = this.follow(source);
        for (const event of await this.readAll(followed)) lines.push({ timestamp: event.timestamp, text: prefixOf(source, withTask) + event.message });
      }
      lines.sort((a, b) => a.timestamp - b.timestamp);
      for (const line of lines) process.stdout.write(`${line.text}\n`);
      if (!this.flags.follow) return;
      await this.followAll(withTask);
    } finally {
      this.ecs.destroy();
      for (const client of this.clients.values()) client.destroy();
    }
  }

  /** The awslogs sources of the tasks asked for; the others are named on stderr, once. */
  private async sources(): Promise<Awslogs[]> {
    const tasks = await this.tasks();
    const sources: Awslogs[] = [];
    for (const task of tasks) {
      const definitions = await this.definitionOf(task.taskDefinitionArn!);
      if (this.flags.container !== undefined && !definitions.some((definition) => definition.name === this.flags.container)) {
        if (this.flags.task !== undefined) {
          throw new Error(`task ${this.flags.task} has no container '${this.flags.container}'; its containers: ${definitions.map((definition) => definition.name).join(', ')}`);
        }
        continue;
      }
      for (const source of sourcesOf(task, definitions, this.flags.container)) {
        if (source.kind === 'awslogs') sources.push(source);
        else this.tell(`${source.task}/${source.container}`, `berth logs: container '${source.container}' of task ${source.task}: ${source.words}.`);
      }
    }
    return sources;
  }

  private async tasks(): Promise<Task[]> {
    const cluster = this.flags.cluster;
    let arns: string[];
    if (this.flags.task !== undefined) arns = [this.flags.task];
    else {
      arns = [];
      for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
        let nextToken: string | undefined;
        do {
          const page = await this.ecs.send(new ListTasksCommand({ cluster, serviceName: this.flags.service, desiredStatus, ...(nextToken ? { nextToken } : {}) }));
          arns.push(...(page.taskArns ?? []));
          nextToken = page.nextToken;
        } while (nextToken);
      }
      if (arns.length === 0) {
        this.tell(`service ${this.flags.service}`, `berth logs: service ${this.flags.service} of cluster ${cluster} has no tasks${this.flags.follow ? ' yet' : ''}.`);
        return [];
      }
    }
    const tasks: Task[] = [];
    for (let i = 0; i < arns.length; i += 100) {
      const answer = await this.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }));
      if (this.flags.task !== undefined && (answer.tasks ?? []).length === 0) {
        throw new Error(`no task ${this.flags.task} in cluster ${cluster}${answer.failures?.[0]?.reason ? ` (${answer.failures[0].reason})` : ''}`);
      }
      tasks.push(...(answer.tasks ?? []));
    }
    return tasks;
  }

  private async definitionOf(arn: string): Promise<ContainerDefinition[]> {
    let definitions = this.definitions.get(arn);
    if (!definitions) {
      const answer = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
      definitions = answer.taskDefinition?.containerDefinitions ?? [];
      this.definitions.set(arn, definitions);
    }
    return definitions;
  }

  private tell(key: string, words: string): void {
    if (this.told.has(key)) return;
    this.told.add(key);
    process.stderr.write(`${words}\n`);
  }

  private follow(source: Awslogs): Followed {
    const key = `${source.region}|${source.group}|${source.stream}`;
    let followed = this.followed.get(key);
    if (!followed) {
      followed = { source };
      this.followed.set(key, followed);
    }
    return followed;
  }

  private client(region: string): CloudWatchLogsClient {
    let client = this.clients.get(region);
    if (!client) {
      client = new CloudWatchLogsClient({ endpoint: this.endpoint, region, credentials: this.credentials, maxAttempts: 2 });
      this.clients.set(region, client);
    }
    return client;
  }

  /** The events after the stream's token, to its end; a stream not made yet has none. */
  private async readAll(followed: Followed): Promise<{ timestamp: number; message: string }[]> {
    const { source } = followed;
    const events: { timestamp: number; message: string }[] = [];
    for (;;) {
      let page;
      try {
        page = await this.client(source.region).send(
          new GetLogEventsCommand({
            logGroupName: source.group,
            logStreamName: source.stream,
            ...(followed.token ? { nextToken: followed.token } : { startFromHead: true, ...(this.flags.since !== undefined ? { startTime: this.flags.since } : {}) }),
          }),
        );
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
        this.tell(`${source.group}|${source.stream}`, `berth logs: container '${source.container}' of task ${source.task}: ${source.noStreamWords}.`);
        return events;
      }
      for (const event of page.events ?? []) events.push({ timestamp: event.timestamp ?? 0, message: event.message ?? '' });
      // The same token back: the end of the stream, for now.
      const done = !page.nextForwardToken || page.nextForwardToken === followed.token;
      if (page.nextForwardToken) followed.token = page.nextForwardToken;
      if (done || (page.events ?? []).length === 0) return events;
    }
  }

  private async followAll(withTask: boolean): Promise<void> {
    let waitMs = 250;
    let lastListing = Date.now();
    for (;;) {
      let printed = 0;
      for (const followed of this.followed.values()) {
        for (const event of await this.readAll(followed)) {
          process.stdout.write(`${prefixOf(followed.source, withTask)}${event.message}\n`);
          printed++;
        }
      }
      // A service's new tasks (a deployment, a replacement) join every ten seconds.
      if (this.flags.service !== undefined && Date.now() - lastListing > 10_000) {
        lastListing = Date.now();
        for (const source of await this.sources()) this.follow(source);
      }
      waitMs = printed > 0 ? 250 : Math.min(maxPollMs, waitMs * 2);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
