/**
 * GetContextKeysForPrincipalPolicy and GetContextKeysForCustomPolicy: the condition keys the
 * policies test, what a simulation needs in ContextEntries. Each key once (keys are matched without
 * regard to case), spelled as first written, in the order the policies use them.
 */
import type { GetContextKeysForCustomPolicyRequest, GetContextKeysForPolicyResponse, GetContextKeysForPrincipalPolicyRequest } from '@aws-sdk/client-iam';
import { withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { IamDeps } from './deps.js';
import { noSuchEntity } from './errors.js';
import { entityArn, holderOf, inputPolicies, policiesOfSource } from './simulate-policies.js';
import type { SimulatedPolicy } from './simulate/simulation.js';

function keysOf(policies: readonly SimulatedPolicy[]): string[] {
  const keys = new Map<string, string>();
  for (const { attached } of policies) {
    for (const statement of attached.policy.document.statements) {
      for (const clause of statement.conditions) if (!keys.has(clause.key.toLowerCase())) keys.set(clause.key.toLowerCase(), clause.key);
    }
  }
  return [...keys.values()];
}

export function contextKeyOperations({ store }: IamDeps) {
  return {
    async GetContextKeysForCustomPolicy(input: GetContextKeysForCustomPolicyRequest): Promise<GetContextKeysForPolicyResponse> {
      return { ContextKeyNames: keysOf(inputPolicies(input.PolicyInputList, 'PolicyInputList')) };
    },

    async GetContextKeysForPrincipalPolicy(input: GetContextKeysForPrincipalPolicyRequest, ctx: RequestContext): Promise<GetContextKeysForPolicyResponse> {
      const sourceArn = input.PolicySourceArn ?? '';
      entityArn(sourceArn, 'PolicySourceArn', ['user', 'group', 'role']);
      const given = inputPolicies(input.PolicyInputList, 'PolicyInputList');
      return store.read(async (tx) => {
        const source = await holderOf(tx, sourceArn, 'PolicySourceArn', ['user', 'group', 'role']);
        if (source.accountId !== ctx.principal.accountId) throw withHelp(noSuchEntity(source.type, source.name), { field: 'PolicySourceArn' });
        return { ContextKeyNames: keysOf([...(await policiesOfSource(tx, source)), ...given]) };
      });
    },
  };
}
