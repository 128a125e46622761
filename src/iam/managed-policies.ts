/**
 * Managed policies: the account's own (CreatePolicy, versions v1…, at most five kept, one of them
 * the default) and AWS's (read-only, one version each, from ./managed-policies/). Lists read both
 * and filter by Scope (AWS, Local, All), OnlyAttached and PathPrefix.
 */
import type {
  CreatePolicyRequest,
  CreatePolicyResponse,
  CreatePolicyVersionRequest,
  CreatePolicyVersionResponse,
  DeletePolicyRequest,
  DeletePolicyVersionRequest,
  GetPolicyRequest,
  GetPolicyResponse,
  GetPolicyVersionRequest,
  GetPolicyVersionResponse,
  ListPoliciesRequest,
  ListPoliciesResponse,
  ListPolicyVersionsRequest,
  ListPolicyVersionsResponse,
  Policy,
  PolicyVersion,
  SetDefaultPolicyVersionRequest,
} from '@aws-sdk/client-iam';
import type { RequestContext } from '../core/request-context.js';
import type { IamPolicy, IamPolicyVersion } from '../store/contract/iam.js';
import type { IamDeps } from './deps.js';
import { attachmentCount, boundaryCount, epochSeconds, holdersIn, newEntityBase, underPath } from './entities.js';
import { alreadyExists, constraintError, deleteConflict, limitExceeded, noSuchEntityMessage } from './errors.js';
import { customerPolicyOf, policyOf, type AnyPolicy } from './lookup.js';
import { awsManagedPolicies } from './managed-policies/index.js';
import { pageOf } from './pagination.js';
import { checkPolicyDocument, encodedDocument } from './policy-document.js';
import { dateOf, presentAwsPolicy, presentCustomerPolicy } from './present.js';
import { checkDescription, checkName, checkPath, checkPathPrefix, checkPolicyArn, checkTags } from './validate.js';

const versionsKept = 5;

function checkVersionId(id: string | undefined): string {
  const value = id ?? '';
  if (!/^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/.test(value)) throw constraintError('versionId', value, 'Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?');
  return value;
}

const noSuchVersion = (arn: string, versionId: string) => noSuchEntityMessage(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);

function presentVersion(version: IamPolicyVersion, defaultVersionId: string, withDocument: boolean): PolicyVersion {
  return {
    ...(withDocument ? { Document: encodedDocument(version.document) } : {}),
    VersionId: version.versionId,
    IsDefaultVersion: version.versionId === defaultVersionId,
    CreateDate: dateOf(version.createdAt),
  };
}

/** A policy's versions, AWS's included (one: their default). */
function versionsOf(found: AnyPolicy): { versions: IamPolicyVersion[]; defaultVersionId: string } {
  if (found.kind === 'customer') return { versions: found.record.versions, defaultVersionId: found.record.defaultVersionId };
  const { policy } = found;
  return { versions: [{ versionId: policy.defaultVersionId, document: policy.document, createdAt: policy.createdAt }], defaultVersionId: policy.defaultVersionId };
}

export function managedPolicyOperations({ store, clock }: IamDeps) {
  return {
    async CreatePolicy(input: CreatePolicyRequest, ctx: RequestContext): Promise<CreatePolicyResponse> {
      const name = checkName('policyName', input.PolicyName ?? '', 128);
      const path = checkPath(input.Path);
      const description = checkDescription(input.Description);
      const tags = checkTags(input.Tags);
      const document = input.PolicyDocument ?? '';
      checkPolicyDocument(document, 'managed');
      const base = newEntityBase(ctx, clock, 'policy', name, path, tags);
      const policy: IamPolicy = {
        ...base,
        type: 'policy',
        ...(description !== undefined ? { description } : {}),
        defaultVersionId: 'v1',
        versions: [{ versionId: 'v1', document, createdAt: base.createdAt }],
        nextVersion: 2,
        updatedAt: base.createdAt,
      };
      await store.write(async (tx) => {
        if (await tx.iamEntities.get(ctx.principal.accountId, 'policy', name)) throw alreadyExists('policy', name);
        await tx.iamEntities.put(policy);
      });
      return { Policy: presentCustomerPolicy(policy, 0) };
    },

    async GetPolicy(input: GetPolicyRequest, ctx: RequestContext): Promise<GetPolicyResponse> {
      const arn = checkPolicyArn(input.PolicyArn);
      const { found, count, boundaries } = await store.read(async (tx) => {
        const found = await policyOf(tx, ctx, arn);
        const holders = await holdersIn(tx, ctx.principal.accountId);
        return { found, count: attachmentCount(holders, arn), boundaries: boundaryCount(holders, arn) };
      });
      const options = { description: true, boundaryCount: boundaries };
      return { Policy: found.kind === 'customer' ? presentCustomerPolicy(found.record, count, options) : presentAwsPolicy(found.policy, count, options) };
    },

    async ListPolicies(input: ListPoliciesRequest, ctx: RequestContext): Promise<ListPoliciesResponse> {
      const prefix = checkPathPrefix(input.PathPrefix);
      const scope = input.Scope ?? 'All';
      if (scope !== 'All' && scope !== 'AWS' && scope !== 'Local') throw constraintError('scope', scope, 'Member must satisfy enum value set: [All, AWS, Local]');
      const { own, holders } = await store.read(async (tx) => ({
        own: await tx.iamEntities.list(ctx.principal.accountId, 'policy'),
        holders: await holdersIn(tx, ctx.principal.accountId),
      }));
      const listed: { path: string; count: number; policy: Policy }[] = [];
      if (scope !== 'Local') {
        for (const policy of awsManagedPolicies().values()) {
          const count = attachmentCount(holders, policy.arn);
          listed.push({ path: policy.path, count, policy: presentAwsPolicy(policy, count) });
        }
      }
      if (scope !== 'AWS') {
        for (const policy of own) {
          const count = attachmentCount(holders, policy.arn);
          listed.push({ path: policy.path, count, policy: presentCustomerPolicy(policy, count) });
        }
      }
      const policies = listed
        .filter((entry) => underPath(entry.path, prefix) && (!input.OnlyAttached || entry.count > 0))
        .sort((a, b) => (a.policy.PolicyName ?? '').toLowerCase().localeCompare((b.policy.PolicyName ?? '').toLowerCase()))
        .map((entry) => ({ ...entry.policy, Tags: undefined }));
      const { items, ...page } = pageOf(policies, input);
      return { Policies: items, ...page };
    },

    async CreatePolicyVersion(input: CreatePolicyVersionRequest, ctx: RequestContext): Promise<CreatePolicyVersionResponse> {
      const arn = checkPolicyArn(input.PolicyArn);
      const document = input.PolicyDocument ?? '';
      checkPolicyDocument(document, 'managed');
      const createdAt = epochSeconds(clock);
      const { version, defaultVersionId } = await store.write(async (tx) => {
        const policy = await customerPolicyOf(tx, ctx, arn);
        if (policy.versions.length >= versionsKept) {
          throw limitExceeded('A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
        }
        const version: IamPolicyVersion = { versionId: `v${policy.nextVersion}`, document, createdAt };
        const defaultVersionId = input.SetAsDefault ? version.versionId : policy.defaultVersionId;
        await tx.iamEntities.put({ ...policy, versions: [version, ...policy.versions], nextVersion: policy.nextVersion + 1, defaultVersionId, updatedAt: createdAt });
        return { version, defaultVersionId };
      });
      return { PolicyVersion: presentVersion(version, defaultVersionId, false) };
    },

    async GetPolicyVersion(input: GetPolicyVersionRequest, ctx: RequestContext): Promise<GetPolicyVersionResponse> {
      const arn = checkPolicyArn(input.PolicyArn);
      const versionId = checkVersionId(input.VersionId);
      const found = await store.read((tx) => policyOf(tx, ctx, arn));
      const { versions, defaultVersionId } = versionsOf(found);
      const version = versions.find((candidate) => candidate.versionId === versionId);
      if (!version) throw noSuchVersion(arn, versionId);
      return { PolicyVersion: presentVersion(version, defaultVersionId, true) };
    },

    async ListPolicyVersions(input: ListPolicyVersionsRequest, ctx: RequestContext): Promise<ListPolicyVersionsResponse> {
      const arn = checkPolicyArn(input.PolicyArn);
      const found = await store.read((tx) => policyOf(tx, ctx, arn));
      const { versions, defaultVersionId } = versionsOf(found);
      const { items, ...page } = pageOf(versions, input);
      return { Versions: items.map((version) => presentVersion(version, defaultVersionId, false)), ...page };
    },

    async SetDefaultPolicyVersion(input: SetDefaultPolicyVersionRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = checkPolicyArn(input.PolicyArn);
      const versionId = checkVersionId(input.VersionId);
      await store.write(async (tx) => {
        const policy = await customerPolicyOf(tx, ctx, arn);
        if (!policy.versions.some((version) => version.versionId === versionId)) throw noSuchVersion(arn, versionId);
        await tx.iamEntities.put({ ...policy, defaultVersionId: versionId, updatedAt: epochSeconds(clock) });
      });
      return {};
    },

    async DeletePolicyVersion(input: DeletePolicyVersionRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = checkPolicyArn(input.PolicyArn);
      const versionId = checkVersionId(input.VersionId);
      await store.write(async (tx) => {
        const policy = await customerPolicyOf(tx, ctx, arn);
        if (!policy.versions.some((version) => version.versionId === versionId)) throw noSuchVersion(arn, versionId);
        if (policy.defaultVersionId === versionId) throw deleteConflict('Cannot delete the default version of a policy.');
        await tx.iamEntities.put({ ...policy, versions: policy.versions.filter((version) => version.versionId !== versionId) });
      });
      return {};
    },

    async DeletePolicy(input: DeletePolicyRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = checkPolicyArn(input.PolicyArn);
      await store.write(async (tx) => {
        const policy = await customerPolicyOf(tx, ctx, arn);
        const holders = await holdersIn(tx, ctx.principal.accountId);
        if (attachmentCount(holders, arn) > 0 || boundaryCount(holders, arn) > 0) throw deleteConflict('Cannot delete a policy attached to entities.');
        if (policy.versions.length > 1) {
          throw deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
        }
        await tx.iamEntities.delete(policy);
      });
      return {};
    },
  };
}
