/** An alarm's ARN, and its name back from one: arn:aws:cloudwatch:<region>:<account>:alarm:<name>. */
import type { Scope } from '../../core/principal.js';

export const alarmArn = (scope: Pick<Scope, 'accountId' | 'region'>, name: string) => `arn:aws:cloudwatch:${scope.region}:${scope.accountId}:alarm:${name}`;

/** The alarm name an ARN names in `scope`, or undefined when it names no alarm there. */
export function alarmNameOf(arn: string, scope: Pick<Scope, 'accountId' | 'region'>): string | undefined {
  const prefix = `arn:aws:cloudwatch:${scope.region}:${scope.accountId}:alarm:`;
  return arn.startsWith(prefix) && arn.length > prefix.length ? arn.slice(prefix.length) : undefined;
}
