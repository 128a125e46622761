/**
 * `berth why-denied`: whether a principal may perform an action on a resource, and which statement
 * of which policy decided, through the IAM API of a running Berth (SimulatePrincipalPolicy, signed
 * with the root credentials of the data directory unless AWS_ACCESS_KEY_ID is set).
 */
import { IAMClient, SimulatePrincipalPolicyCommand, type ContextEntry } from '@aws-sdk/client-iam';
import { Command, InvalidArgumentError } from 'commander';
import { cliCredentials, endpointOf, withClientOptions } from './client-options.js';
import { principalPolicies, sessionRoleName } from './why-denied-policies.js';
import { decidingStatement, whyDeniedReport } from './why-denied-report.js';

/** The exit status when the action is denied, so a script can tell. */
const deniedExitCode = 3;

function contextOption(value: string, previous: string[] = []): string[] {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError(`'${value}' is not key=value, e.g. ecs:cluster=arn:aws:ecs:us-east-1:000000000000:cluster/dev.`);
  return [...previous, value];
}

/** --context key=value, repeated: one entry per key, a list type when a key is given several values. */
export function contextEntries(pairs: readonly string[]): ContextEntry[] {
  const byKey = new Map<string, string[]>();
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const key = pair.slice(0, equals);
    byKey.set(key, [...(byKey.get(key) ?? []), pair.slice(equals + 1)]);
  }
  return [...byKey].map(([key, values]) => ({ ContextKeyName: key, ContextKeyValues: values, ContextKeyType: values.length > 1 ? 'stringList' : 'string' }));
}

interface Flags {
  principal: string;
  action: string;
  resource?: string;
  context?: string[];
  json?: boolean;
  endpoint?: string;
  dataDir: string;
  keyFile?: string;
  accountId: string;
  region: string;
}

export function whyDeniedCommand(): Command {
  const command = new Command('why-denied')
    .description(
      `say whether a principal may perform an action on a resource and which policy statement decided (IAM SimulatePrincipalPolicy); exits ${deniedExitCode} when denied`,
    )
    .requiredOption('-p, --principal <arn>', 'the user, group, role or role session (arn:aws:sts::<account>:assumed-role/<role>/<session>) to check')
    .requiredOption('-a, --action <service:Action>', 'the action, e.g. ecs:RunTask')
    .option('-r, --resource <arn>', 'the resource the action is on (default: *)')
    .option('-c, --context <key=value>', 'a condition key the request carries, e.g. aws:SourceIp=10.0.0.1; repeat it for more keys, or for several values of one key', contextOption)
    .option('--json', 'print the simulation result and the deciding statements as JSON')
    .addHelpText(
      'after',
      `
Examples:
  berth why-denied --principal arn:aws:iam::000000000000:user/ci --action ecs:RunTask
  berth why-denied -p arn:aws:iam::000000000000:role/app -a secretsmanager:GetSecretValue \\
      -r arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf -c aws:SourceIp=10.0.0.1

A role session is simulated as its role (its session policy is not included). Exit status: 0 when
allowed, ${deniedExitCode} when denied, 1 when the check itself failed (an unknown principal, a malformed action).`,
    );
  return withClientOptions(command).action(async (flags: Flags) => {
    const credentials = await cliCredentials(flags.dataDir, flags.accountId, flags.keyFile);
    // IAM is global: it is signed for us-east-1 whatever the region.
    const iam = new IAMClient({ endpoint: endpointOf(flags), region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const { entityArn, policies } = await principalPolicies(iam, flags.principal);
      const { EvaluationResults } = await iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: entityArn,
          ActionNames: [flags.action],
          ...(flags.resource ? { ResourceArns: [flags.resource] } : {}),
          ...(flags.context ? { ContextEntries: contextEntries(flags.context) } : {}),
        }),
      );
      const result = EvaluationResults?.[0];
      if (!result) throw new Error('the simulation answered no result');
      const sessionOf = sessionRoleName(flags.principal) !== undefined ? entityArn : undefined;
      const lines = whyDeniedReport({ principal: flags.principal, result, policies, ...(sessionOf ? { sessionOf } : {}) });
      const json = {
        result,
        decidingStatements: (result.MatchedStatements ?? []).map((matched) => {
          const { policy, ...statement } = decidingStatement(matched, policies);
          return { ...statement, ...(policy ? { policyArn: policy.arn, where: policy.where } : {}) };
        }),
        policiesConsidered: policies.map(({ document: _document, ...policy }) => policy),
      };
      process.stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : `${lines.join('\n')}\n`);
      if (result.EvalDecision !== 'allowed') process.exitCode = deniedExitCode;
    } catch (error) {
      const failure = error as Error & { berthHelp?: { hint?: string } };
      const hint = failure.berthHelp?.hint ? `\n  ${failure.berthHelp.hint}` : '';
      process.stderr.write(`berth: ${failure.name}: ${failure.message}${hint}\n`);
      process.exitCode = 1;
    } finally {
      iam.destroy();
    }
  });
}
