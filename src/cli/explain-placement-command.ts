/** `berth explain-placement`: why tasks of a definition would or would not be placed, instance by instance. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { cliCredentials, endpointOf, withClientOptions } from './client-options.js';
import { signedFetch } from './signed-fetch.js';

/** The exit status when some of the tasks would not be placed, so a script can tell. */
const notPlacedExitCode = 3;

function jsonOption(name: string, example: string) {
  return (value: string): unknown => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new InvalidArgumentError(`${name} must be JSON, e.g. '${example}'.`);
    }
  };
}

const networkExample = '{"awsvpcConfiguration":{"subnets":["subnet-local"]}}';

export function explainPlacementCommand(): Command {
  const command = new Command('explain-placement')
    .description(
      `show, instance by instance, why tasks of a definition would or would not be placed, for RunTask's input (nothing is started); exits ${notPlacedExitCode} when some would not be placed`,
    )
    .requiredOption('-t, --task-definition <family[:revision]|arn>', 'the task definition to place')
    .option('-c, --cluster <name|arn>', 'the cluster (default: "default")')
    .option('-n, --count <n>', 'how many tasks to place, 1 to 10', (value) => Number(value), 1)
    .addOption(new Option('--launch-type <type>', 'the launch type, as in RunTask').choices(['EC2', 'EXTERNAL', 'FARGATE']))
    .option(
      '--network-configuration <json>',
      `RunTask networkConfiguration as JSON, needed for awsvpc task definitions, e.g. '${networkExample}'`,
      jsonOption('--network-configuration', networkExample),
    )
    .option('--group <group>', 'task group (default family:<family>)')
    .option('--placement-constraints <json>', 'RunTask placementConstraints as JSON', jsonOption('--placement-constraints', '[{"type":"distinctInstance"}]'))
    .option(
      '--placement-strategy <json>',
      'RunTask placementStrategy as JSON',
      jsonOption('--placement-strategy', '[{"type":"spread","field":"attribute:ecs.availability-zone"}]'),
    )
    .option('--json', 'print the whole answer as JSON');
  return withClientOptions(command).action(async (flags: {
    taskDefinition: string;
    cluster?: string;
    count: number;
    launchType?: string;
    group?: string;
    networkConfiguration?: unknown;
    placementConstraints?: unknown;
    placementStrategy?: unknown;
    json?: boolean;
    endpoint?: string;
    dataDir: string;
    keyFile?: string;
    accountId: string;
    region: string;
  }) => {
    const credentials = await cliCredentials(flags.dataDir, flags.accountId, flags.keyFile);
    const body = JSON.stringify({
      taskDefinition: flags.taskDefinition,
      count: flags.count,
      ...(flags.cluster ? { cluster: flags.cluster } : {}),
      ...(flags.launchType ? { launchType: flags.launchType } : {}),
      ...(flags.group ? { group: flags.group } : {}),
      ...(flags.networkConfiguration ? { networkConfiguration: flags.networkConfiguration } : {}),
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
    const answer = (await response.json()) as { lines?: string[]; __type?: string; message?: string; berthHelp?: { hint?: string }; placedAll?: boolean };
    if (!response.ok) {
      const hint = answer.berthHelp?.hint ? `\n  ${answer.berthHelp.hint}` : '';
      process.stderr.write(`berth: ${answer.__type ?? response.status}: ${answer.message ?? ''}${hint}\n`);
      process.exit(1);
    }
    process.stdout.write(flags.json ? `${JSON.stringify(answer, null, 2)}\n` : `${(answer.lines ?? []).join('\n')}\n`);
    if (answer.placedAll === false) process.exit(notPlacedExitCode);
  });
}
