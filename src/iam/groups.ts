/** Groups and membership: a group lists its members' names; a user's groups are found by scanning the account's groups. */
import type {
  AddUserToGroupRequest,
  CreateGroupRequest,
  CreateGroupResponse,
  DeleteGroupRequest,
  GetGroupRequest,
  GetGroupResponse,
  ListGroupsForUserRequest,
  ListGroupsForUserResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  RemoveUserFromGroupRequest,
  UpdateGroupRequest,
} from '@aws-sdk/client-iam';
import type { RequestContext } from '../core/request-context.js';
import type { IamGroup } from '../store/contract/iam.js';
import type { IamDeps } from './deps.js';
import { asNew, groupsOfUser, newEntityBase, underPath } from './entities.js';
import { iamArn } from './ids.js';
import { alreadyExists, deleteConflict, limitExceeded, noSuchEntityMessage } from './errors.js';
import { entityOf } from './lookup.js';
import { pageOf } from './pagination.js';
import { presentGroup, presentUser } from './present.js';
import { checkUserName } from './users.js';
import { checkName, checkPath, checkPathPrefix } from './validate.js';

export const checkGroupName = (name: string | undefined) => checkName('groupName', name ?? '', 128);
const groupsPerUser = 10;

export function groupOperations({ store, clock }: IamDeps) {
  return {
    async CreateGroup(input: CreateGroupRequest, ctx: RequestContext): Promise<CreateGroupResponse> {
      const name = checkGroupName(input.GroupName);
      const path = checkPath(input.Path);
      const group: IamGroup = { ...newEntityBase(ctx, clock, 'group', name, path, []), type: 'group', inlinePolicies: {}, attachedPolicies: [], members: [] };
      await store.write(async (tx) => {
        if (await tx.iamEntities.get(ctx.principal.accountId, 'group', name)) throw alreadyExists('group', name);
        await tx.iamEntities.put(group);
      });
      return { Group: presentGroup(group) };
    },

    async GetGroup(input: GetGroupRequest, ctx: RequestContext): Promise<GetGroupResponse> {
      const name = checkGroupName(input.GroupName);
      const { group, users } = await store.read(async (tx) => {
        const group = await entityOf(tx, ctx, 'group', name);
        const users = [];
        for (const member of group.members) {
          const user = await tx.iamEntities.get(ctx.principal.accountId, 'user', member);
          if (user) users.push(user);
        }
        return { group, users };
      });
      const { items, ...page } = pageOf(users, input);
      return { Group: presentGroup(group), Users: items.map((user) => ({ ...presentUser(user), Tags: undefined })), ...page };
    },

    async ListGroups(input: ListGroupsRequest, ctx: RequestContext): Promise<ListGroupsResponse> {
      const prefix = checkPathPrefix(input.PathPrefix);
      const groups = (await store.read((tx) => tx.iamEntities.list(ctx.principal.accountId, 'group'))).filter((group) => underPath(group.path, prefix));
      const { items, ...page } = pageOf(groups, input);
      return { Groups: items.map(presentGroup), ...page };
    },

    async AddUserToGroup(input: AddUserToGroupRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const groupName = checkGroupName(input.GroupName);
      const userName = checkUserName(input.UserName);
      await store.write(async (tx) => {
        const group = await entityOf(tx, ctx, 'group', groupName);
        const user = await entityOf(tx, ctx, 'user', userName);
        if (group.members.some((member) => member.toLowerCase() === user.name.toLowerCase())) return;
        if ((await groupsOfUser(tx, ctx.principal.accountId, user.name)).length >= groupsPerUser) throw limitExceeded(`Cannot exceed quota for GroupsPerUser: ${groupsPerUser}`);
        await tx.iamEntities.put({ ...group, members: [...group.members, user.name] });
      });
      return {};
    },

    async RemoveUserFromGroup(input: RemoveUserFromGroupRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const groupName = checkGroupName(input.GroupName);
      const userName = checkUserName(input.UserName);
      await store.write(async (tx) => {
        const group = await entityOf(tx, ctx, 'group', groupName);
        const user = await entityOf(tx, ctx, 'user', userName);
        const members = group.members.filter((member) => member.toLowerCase() !== user.name.toLowerCase());
        if (members.length === group.members.length) throw noSuchMember(user.name, group.name);
        await tx.iamEntities.put({ ...group, members });
      });
      return {};
    },

    async ListGroupsForUser(input: ListGroupsForUserRequest, ctx: RequestContext): Promise<ListGroupsForUserResponse> {
      const userName = checkUserName(input.UserName);
      const groups = await store.read(async (tx) => {
        const user = await entityOf(tx, ctx, 'user', userName);
        return groupsOfUser(tx, ctx.principal.accountId, user.name);
      });
      const { items, ...page } = pageOf(groups, input);
      return { Groups: items.map(presentGroup), ...page };
    },

    async UpdateGroup(input: UpdateGroupRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkGroupName(input.GroupName);
      const newName = input.NewGroupName === undefined ? undefined : checkName('newGroupName', input.NewGroupName, 128);
      const newPath = input.NewPath === undefined ? undefined : checkPath(input.NewPath, 'newPath');
      await store.write(async (tx) => {
        const group = await entityOf(tx, ctx, 'group', name);
        const renamed = newName ?? group.name;
        const path = newPath ?? group.path;
        const sameKey = renamed.toLowerCase() === group.name.toLowerCase();
        if (!sameKey && (await tx.iamEntities.get(ctx.principal.accountId, 'group', renamed))) throw alreadyExists('group', renamed);
        const updated: IamGroup = { ...group, name: renamed, path, arn: iamArn(ctx.principal.accountId, 'group', path, renamed) };
        if (sameKey) return tx.iamEntities.put(updated);
        await tx.iamEntities.delete(group);
        await tx.iamEntities.put(asNew(updated));
      });
      return {};
    },

    async DeleteGroup(input: DeleteGroupRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkGroupName(input.GroupName);
      await store.write(async (tx) => {
        const group = await entityOf(tx, ctx, 'group', name);
        if (group.members.length > 0) throw deleteConflict('Cannot delete entity, must remove users from group first.');
        if (Object.keys(group.inlinePolicies).length > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
        if (group.attachedPolicies.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
        await tx.iamEntities.delete(group);
      });
      return {};
    },
  };
}

/** RemoveUserFromGroup for a user not in the group: NoSuchEntity naming both. */
const noSuchMember = (userName: string, groupName: string) => noSuchEntityMessage(`The user with name ${userName} cannot be found in group ${groupName}.`);
