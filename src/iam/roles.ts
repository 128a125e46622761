/**
 * Roles: a trust policy (who may assume it), a maximum session duration (3600–43200 seconds), a
 * path, a description and tags; and the service-linked roles of the services Berth serves, which
 * carry their AWS managed policy and which only their service may change.
 */
import type {
  CreateRoleRequest,
  CreateRoleResponse,
  CreateServiceLinkedRoleRequest,
  CreateServiceLinkedRoleResponse,
  DeleteRoleRequest,
  DeleteServiceLinkedRoleRequest,
  DeleteServiceLinkedRoleResponse,
  GetServiceLinkedRoleDeletionStatusRequest,
  GetServiceLinkedRoleDeletionStatusResponse,
  GetRoleRequest,
  GetRoleResponse,
  ListRoleTagsRequest,
  ListRoleTagsResponse,
  ListRolesRequest,
  ListRolesResponse,
  TagRoleRequest,
  UntagRoleRequest,
  UpdateAssumeRolePolicyRequest,
  UpdateRoleDescriptionRequest,
  UpdateRoleDescriptionResponse,
  UpdateRoleRequest,
} from '@aws-sdk/client-iam';
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../core/request-context.js';
import type { IamRole } from '../store/contract/iam.js';
import type { StoreTx } from '../store/types.js';
import type { IamDeps } from './deps.js';
import { instanceProfilesOfRole, newEntityBase, underPath } from './entities.js';
import { alreadyExists, constraintError, deleteConflict, invalidInput, unmodifiable } from './errors.js';
import { checkBoundary, entityOf } from './lookup.js';
import { pageOf } from './pagination.js';
import { checkPolicyDocument } from './policy-document.js';
import { presentRole } from './present.js';
import { checkDescription, checkName, checkPath, checkPathPrefix, checkTags, mergeTags, removeTags } from './validate.js';

export const checkRoleName = (name: string | undefined) => checkName('roleName', name ?? '', 64);

function checkMaxSessionDuration(value: number | undefined): number {
  if (value === undefined) return 3600;
  if (value < 3600) throw constraintError('maxSessionDuration', value, 'Member must have value greater than or equal to 3600');
  if (value > 43200) throw constraintError('maxSessionDuration', value, 'Member must have value less than or equal to 43200');
  return value;
}

function checkTrustPolicy(text: string | undefined): string {
  const document = text ?? '';
  if (document.length < 1) throw constraintError('assumeRolePolicyDocument', document, 'Member must have length greater than or equal to 1');
  checkPolicyDocument(document, 'trust');
  return document;
}

/** The service-linked roles Berth creates: the service principal, the role's name and its AWS managed policy. */
export const serviceLinkedRoles: Record<string, { roleName: string; policyArn: string }> = {
  'ecs.amazonaws.com': { roleName: 'AWSServiceRoleForECS', policyArn: 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy' },
  'elasticloadbalancing.amazonaws.com': {
    roleName: 'AWSServiceRoleForElasticLoadBalancing',
    policyArn: 'arn:aws:iam::aws:policy/aws-service-role/AWSElasticLoadBalancingServiceRolePolicy',
  },
  'ecs.application-autoscaling.amazonaws.com': {
    roleName: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
    policyArn: 'arn:aws:iam::aws:policy/aws-service-role/AWSApplicationAutoscalingECSServicePolicy',
  },
};

/** IAM refuses changes to a service-linked role but by its service. */
export function checkModifiable(role: IamRole): void {
  if (role.serviceLinkedTo !== undefined) throw unmodifiable(`Cannot perform the operation on the protected role '${role.name}' - this role is only modifiable by AWS`);
}

async function modifiableRoleOf(tx: StoreTx, ctx: RequestContext, name: string): Promise<IamRole> {
  const role = await entityOf(tx, ctx, 'role', name);
  checkModifiable(role);
  return role;
}

export function roleOperations({ store, clock }: IamDeps) {
  const create = async (ctx: RequestContext, role: IamRole, taken: () => Error, boundaryArn?: string) => {
    await store.write(async (tx) => {
      if (await tx.iamEntities.get(ctx.principal.accountId, 'role', role.name)) throw taken();
      const boundary = await checkBoundary(tx, ctx, boundaryArn);
      if (boundary !== undefined) role.permissionsBoundary = boundary;
      await tx.iamEntities.put(role);
    });
  };
  return {
    async CreateRole(input: CreateRoleRequest, ctx: RequestContext): Promise<CreateRoleResponse> {
      const name = checkRoleName(input.RoleName);
      const path = checkPath(input.Path);
      const trust = checkTrustPolicy(input.AssumeRolePolicyDocument);
      const description = checkDescription(input.Description);
      const maxSessionDuration = checkMaxSessionDuration(input.MaxSessionDuration);
      const tags = checkTags(input.Tags);
      const role: IamRole = {
        ...newEntityBase(ctx, clock, 'role', name, path, tags),
        type: 'role',
        assumeRolePolicyDocument: trust,
        ...(description !== undefined ? { description } : {}),
        maxSessionDuration,
        inlinePolicies: {},
        attachedPolicies: [],
      };
      await create(ctx, role, () => alreadyExists('role', name), input.PermissionsBoundary);
      return { Role: presentRole(role) };
    },

    async CreateServiceLinkedRole(input: CreateServiceLinkedRoleRequest, ctx: RequestContext): Promise<CreateServiceLinkedRoleResponse> {
      const service = input.AWSServiceName ?? '';
      const known = serviceLinkedRoles[service];
      if (!known) throw invalidInput(`Service name ${service} is not a supported service for service-linked roles.`);
      if (input.CustomSuffix !== undefined) throw invalidInput(`Custom suffix is not allowed for ${service}`);
      const description = checkDescription(input.Description);
      const path = `/aws-service-role/${service}/`;
      const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: [service] }, Action: ['sts:AssumeRole'] }] });
      const role: IamRole = {
        ...newEntityBase(ctx, clock, 'role', known.roleName, path, []),
        type: 'role',
        assumeRolePolicyDocument: trust,
        ...(description !== undefined ? { description } : {}),
        maxSessionDuration: 3600,
        inlinePolicies: {},
        attachedPolicies: [known.policyArn],
        serviceLinkedTo: service,
      };
      await create(ctx, role, () => invalidInput(`Service role name ${known.roleName} has been taken in this account, please try a different suffix.`));
      return { Role: presentRole(role) };
    },

    async GetRole(input: GetRoleRequest, ctx: RequestContext): Promise<GetRoleResponse> {
      const name = checkRoleName(input.RoleName);
      const role = await store.read((tx) => entityOf(tx, ctx, 'role', name));
      return { Role: { ...presentRole(role), RoleLastUsed: {} } };
    },

    async ListRoles(input: ListRolesRequest, ctx: RequestContext): Promise<ListRolesResponse> {
      const prefix = checkPathPrefix(input.PathPrefix);
      const roles = (await store.read((tx) => tx.iamEntities.list(ctx.principal.accountId, 'role'))).filter((role) => underPath(role.path, prefix));
      const { items, ...page } = pageOf(roles, input);
      // ListRoles leaves tags out, as IAM does.
      return { Roles: items.map((role) => presentRole(role, { tags: false })), ...page };
    },

    async UpdateRole(input: UpdateRoleRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkRoleName(input.RoleName);
      const description = checkDescription(input.Description);
      const maxSessionDuration = input.MaxSessionDuration === undefined ? undefined : checkMaxSessionDuration(input.MaxSessionDuration);
      await store.write(async (tx) => {
        const role = await modifiableRoleOf(tx, ctx, name);
        await tx.iamEntities.put({
          ...role,
          ...(description !== undefined ? { description } : {}),
          ...(maxSessionDuration !== undefined ? { maxSessionDuration } : {}),
        });
      });
      return {};
    },

    async UpdateRoleDescription(input: UpdateRoleDescriptionRequest, ctx: RequestContext): Promise<UpdateRoleDescriptionResponse> {
      const name = checkRoleName(input.RoleName);
      const description = checkDescription(input.Description) ?? '';
      const role = await store.write(async (tx) => {
        const role = await modifiableRoleOf(tx, ctx, name);
        const updated = { ...role, description };
        await tx.iamEntities.put(updated);
        return updated;
      });
      return { Role: presentRole(role) };
    },

    async UpdateAssumeRolePolicy(input: UpdateAssumeRolePolicyRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkRoleName(input.RoleName);
      const trust = checkTrustPolicy(input.PolicyDocument);
      await store.write(async (tx) => {
        const role = await modifiableRoleOf(tx, ctx, name);
        await tx.iamEntities.put({ ...role, assumeRolePolicyDocument: trust });
      });
      return {};
    },

    async DeleteRole(input: DeleteRoleRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkRoleName(input.RoleName);
      await store.write(async (tx) => {
        const role = await modifiableRoleOf(tx, ctx, name);
        if ((await instanceProfilesOfRole(tx, ctx.principal.accountId, role.name)).length > 0) {
          throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
        }
        if (Object.keys(role.inlinePolicies).length > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
        if (role.attachedPolicies.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
        await tx.iamEntities.delete(role);
      });
      return {};
    },

    // A service-linked role is deleted at once: no resource of Berth's still needs it afterwards,
    // so the deletion task has already SUCCEEDED when asked about.
    async DeleteServiceLinkedRole(input: DeleteServiceLinkedRoleRequest, ctx: RequestContext): Promise<DeleteServiceLinkedRoleResponse> {
      const name = checkRoleName(input.RoleName);
      const role = await store.write(async (tx) => {
        const role = await entityOf(tx, ctx, 'role', name);
        if (role.serviceLinkedTo === undefined) throw invalidInput(`Role ${role.name} is not a service-linked role.`);
        await tx.iamEntities.delete(role);
        return role;
      });
      return { DeletionTaskId: `task${role.path}${role.name}/${randomUUID()}` };
    },

    async GetServiceLinkedRoleDeletionStatus(input: GetServiceLinkedRoleDeletionStatusRequest): Promise<GetServiceLinkedRoleDeletionStatusResponse> {
      const id = input.DeletionTaskId ?? '';
      if (!/^task\/aws-service-role\/[^/]+\/[\w+=,.@-]+\/[0-9a-f-]{36}$/.test(id)) throw invalidInput(`Invalid deletion task id: ${id}`);
      return { Status: 'SUCCEEDED' };
    },

    async TagRole(input: TagRoleRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkRoleName(input.RoleName);
      const tags = checkTags(input.Tags);
      await store.write(async (tx) => {
        const role = await entityOf(tx, ctx, 'role', name);
        await tx.iamEntities.put({ ...role, tags: mergeTags(role.tags, tags) });
      });
      return {};
    },

    async UntagRole(input: UntagRoleRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkRoleName(input.RoleName);
      await store.write(async (tx) => {
        const role = await entityOf(tx, ctx, 'role', name);
        await tx.iamEntities.put({ ...role, tags: removeTags(role.tags, input.TagKeys) });
      });
      return {};
    },

    async ListRoleTags(input: ListRoleTagsRequest, ctx: RequestContext): Promise<ListRoleTagsResponse> {
      const name = checkRoleName(input.RoleName);
      const role = await store.read((tx) => entityOf(tx, ctx, 'role', name));
      const { items, ...page } = pageOf(role.tags, input);
      return { Tags: items, ...page };
    },
  };
}
