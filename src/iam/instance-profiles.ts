/** Instance profiles: a named holder of at most one role, as EC2 instances (and ECS container instances) carry one. */
import type {
  AddRoleToInstanceProfileRequest,
  CreateInstanceProfileRequest,
  CreateInstanceProfileResponse,
  DeleteInstanceProfileRequest,
  GetInstanceProfileRequest,
  GetInstanceProfileResponse,
  ListInstanceProfilesForRoleRequest,
  ListInstanceProfilesForRoleResponse,
  ListInstanceProfilesRequest,
  ListInstanceProfilesResponse,
  RemoveRoleFromInstanceProfileRequest,
} from '@aws-sdk/client-iam';
import type { RequestContext } from '../core/request-context.js';
import type { IamInstanceProfile, IamRole } from '../store/contract/iam.js';
import type { StoreTx } from '../store/types.js';
import type { IamDeps } from './deps.js';
import { instanceProfilesOfRole, newEntityBase, underPath } from './entities.js';
import { alreadyExists, deleteConflict, limitExceeded, noSuchEntity } from './errors.js';
import { entityOf } from './lookup.js';
import { pageOf } from './pagination.js';
import { presentInstanceProfile } from './present.js';
import { checkRoleName } from './roles.js';
import { checkName, checkPath, checkPathPrefix, checkTags } from './validate.js';

const checkProfileName = (name: string | undefined) => checkName('instanceProfileName', name ?? '', 128);
const rolesPerProfile = 1;

async function rolesOf(tx: StoreTx, accountId: string, profile: IamInstanceProfile): Promise<IamRole[]> {
  const roles: IamRole[] = [];
  for (const name of profile.roles) {
    const role = await tx.iamEntities.get(accountId, 'role', name);
    if (role) roles.push(role);
  }
  return roles;
}

export function instanceProfileOperations({ store, clock }: IamDeps) {
  return {
    async CreateInstanceProfile(input: CreateInstanceProfileRequest, ctx: RequestContext): Promise<CreateInstanceProfileResponse> {
      const name = checkProfileName(input.InstanceProfileName);
      const path = checkPath(input.Path);
      const tags = checkTags(input.Tags);
      const profile: IamInstanceProfile = { ...newEntityBase(ctx, clock, 'instanceProfile', name, path, tags), type: 'instanceProfile', roles: [] };
      await store.write(async (tx) => {
        if (await tx.iamEntities.get(ctx.principal.accountId, 'instanceProfile', name)) throw alreadyExists('instanceProfile', name);
        await tx.iamEntities.put(profile);
      });
      return { InstanceProfile: presentInstanceProfile(profile, []) };
    },

    async GetInstanceProfile(input: GetInstanceProfileRequest, ctx: RequestContext): Promise<GetInstanceProfileResponse> {
      const name = checkProfileName(input.InstanceProfileName);
      return store.read(async (tx) => {
        const profile = await entityOf(tx, ctx, 'instanceProfile', name);
        return { InstanceProfile: presentInstanceProfile(profile, await rolesOf(tx, ctx.principal.accountId, profile)) };
      });
    },

    async ListInstanceProfiles(input: ListInstanceProfilesRequest, ctx: RequestContext): Promise<ListInstanceProfilesResponse> {
      const prefix = checkPathPrefix(input.PathPrefix);
      return store.read(async (tx) => {
        const profiles = (await tx.iamEntities.list(ctx.principal.accountId, 'instanceProfile')).filter((profile) => underPath(profile.path, prefix));
        const { items, ...page } = pageOf(profiles, input);
        const InstanceProfiles = [];
        for (const profile of items) InstanceProfiles.push({ ...presentInstanceProfile(profile, await rolesOf(tx, ctx.principal.accountId, profile)), Tags: undefined });
        return { InstanceProfiles, ...page };
      });
    },

    async ListInstanceProfilesForRole(input: ListInstanceProfilesForRoleRequest, ctx: RequestContext): Promise<ListInstanceProfilesForRoleResponse> {
      const roleName = checkRoleName(input.RoleName);
      return store.read(async (tx) => {
        const role = await entityOf(tx, ctx, 'role', roleName);
        const { items, ...page } = pageOf(await instanceProfilesOfRole(tx, ctx.principal.accountId, role.name), input);
        return { InstanceProfiles: items.map((profile) => ({ ...presentInstanceProfile(profile, [role]), Tags: undefined })), ...page };
      });
    },

    async AddRoleToInstanceProfile(input: AddRoleToInstanceProfileRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkProfileName(input.InstanceProfileName);
      const roleName = checkRoleName(input.RoleName);
      await store.write(async (tx) => {
        const profile = await entityOf(tx, ctx, 'instanceProfile', name);
        const role = await entityOf(tx, ctx, 'role', roleName);
        if (profile.roles.length >= rolesPerProfile) throw limitExceeded(`Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${rolesPerProfile}`);
        await tx.iamEntities.put({ ...profile, roles: [...profile.roles, role.name] });
      });
      return {};
    },

    async RemoveRoleFromInstanceProfile(input: RemoveRoleFromInstanceProfileRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkProfileName(input.InstanceProfileName);
      const roleName = checkRoleName(input.RoleName);
      await store.write(async (tx) => {
        const profile = await entityOf(tx, ctx, 'instanceProfile', name);
        const roles = profile.roles.filter((role) => role.toLowerCase() !== roleName.toLowerCase());
        if (roles.length === profile.roles.length) throw noSuchEntity('role', roleName);
        await tx.iamEntities.put({ ...profile, roles });
      });
      return {};
    },

    async DeleteInstanceProfile(input: DeleteInstanceProfileRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkProfileName(input.InstanceProfileName);
      await store.write(async (tx) => {
        const profile = await entityOf(tx, ctx, 'instanceProfile', name);
        if (profile.roles.length > 0) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
        await tx.iamEntities.delete(profile);
      });
      return {};
    },
  };
}
