/** `berth explain-placement`: why tasks of a definition would or would not be placed, instance by instance. */
import { Command, InvalidArgumentError } from 'commander';
import { cliCredentials, endpointOf, withClientOptions } from './client-options.js';
import { signedFetch } from './signed-fetch.js';

function jsonOption(name: string) {
  return (value: string): unknown => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new InvalidArgumentError(`${name} must be JSON, e.g. '[{"type":"spread","field":"attribute:ecs.availability-zone"}]'.`);
    }
  };
}

export function explainPlacementCommand(): Command {
  const command = new Command('explain-placement')
    .description('show, instance by instance, why tasks of a definition would or would not be placed (nothing is started)')
    .requiredOption('-t, --task-definition <family[:revision]|arn>', 'the task definition to place')
    .option('-c, --cluster <name|arn>', 'the cluster (default: "default")')
    .option('-n, --count <n>', 'how many tasks to place, 1 to 10', (value) => Number(value), 1)
    .option('--launch-type <type>', 'EC2 or EXTERNAL')
    .option('--group <group>', 'task group (default family:<family>)')
    .option('--placement-constraints <json>', 'RunTask placementConstraints as JSON', jsonOption('--placement-constraints'))
    .option('--placement-strategy <json>', 'RunTask placementStrategy as JSON', jsonOption('--placement-strategy'))
    .option('--json', 'print the whole answer as JSON');
  return withClientOptions(command).action(async (flags: {
    taskDefinition: string;
    cluster?: string;
    count: number;
    launchType?: string;
    group?: string;
    placementConstraints?: unknown;
    placementStrategy?: unknown;
    json?: boolean;
    endpoint?: string;
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
    });
    const response = await signedFetch(endpointOf(flags), '/', {
      credentials,
      region: flags.region,
      service: 'berth',
      body,
      headers: { 'x-amz-target': 'Berth_20261101.ExplainPlacement' },
    });
    const answer = (await response.json()) as { lines?: string[]; __type?: string; message?: string };
    if (!response.ok) {
      process.stderr.write(`berth: ${answer.__type ?? response.status}: ${answer.message ?? ''}\n`);
      process.exit(1);
    }
    process.stdout.write(flags.json ? `${JSON.stringify(answer, null, 2)}\n` : `${(answer.lines ?? []).join('\n')}\n`);
  });
}
