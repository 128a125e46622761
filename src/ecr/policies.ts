/** SetRepositoryPolicy, GetRepositoryPolicy and DeleteRepositoryPolicy. */
import type {
  DeleteRepositoryPolicyRequest,
  DeleteRepositoryPolicyResponse,
  GetRepositoryPolicyRequest,
  GetRepositoryPolicyResponse,
  SetRepositoryPolicyRequest,
  SetRepositoryPolicyResponse,
} from '@aws-sdk/client-ecr';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import type { RepositoryRecord } from '../store/registry.js';
import { existingRepository, repositoryTarget, updateRepository } from './access.js';
import type { EcrDeps } from './deps.js';
import { invalidParameter, repositoryPolicyNotFound } from './errors.js';
import { locksOutCaller, parsePolicy } from './policy-document.js';
import { checkLength, requireMember } from './validate.js';

const maxPolicyLength = 10240;

function withPolicy(record: RepositoryRecord, ctx: RequestContext): string {
  if (record.policyText === undefined) throw repositoryPolicyNotFound(record.name, ctx.scope);
  return record.policyText;
}

function checkPolicyText(input: Wire<SetRepositoryPolicyRequest>, ctx: RequestContext): string {
  const text = requireMember(input.policyText, 'policyText');
  checkLength(text, 'policyText', 0, maxPolicyLength);
  const policy = parsePolicy(text);
  if (!input.force && locksOutCaller(policy, { accountId: ctx.scope.accountId, principalArn: ctx.principal.arn })) {
    throw invalidParameter(
      `The repository policy would deny ${ctx.principal.arn} ecr:SetRepositoryPolicy, so the policy could never be changed again; pass force to set it anyway`,
    );
  }
  return text;
}

export function policyOperations(deps: EcrDeps) {
  return {
    async SetRepositoryPolicy(input: Wire<SetRepositoryPolicyRequest>, ctx: RequestContext): Promise<Wire<SetRepositoryPolicyResponse>> {
      const name = repositoryTarget(input, ctx);
      const policyText = checkPolicyText(input, ctx);
      const record = await updateRepository(deps, ctx, name, (current) => ({ ...current, policyText }));
      return { registryId: record.registryId, repositoryName: record.name, policyText };
    },

    async GetRepositoryPolicy(input: Wire<GetRepositoryPolicyRequest>, ctx: RequestContext): Promise<Wire<GetRepositoryPolicyResponse>> {
      const name = repositoryTarget(input, ctx);
      const record = await deps.store.read((tx) => existingRepository(tx, ctx, name));
      return { registryId: record.registryId, repositoryName: record.name, policyText: withPolicy(record, ctx) };
    },

    async DeleteRepositoryPolicy(input: Wire<DeleteRepositoryPolicyRequest>, ctx: RequestContext): Promise<Wire<DeleteRepositoryPolicyResponse>> {
      const name = repositoryTarget(input, ctx);
      let policyText = '';
      const record = await updateRepository(deps, ctx, name, (current) => {
        policyText = withPolicy(current, ctx);
        const { policyText: _removed, ...rest } = current;
        return rest;
      });
      return { registryId: record.registryId, repositoryName: record.name, policyText };
    },
  };
}
