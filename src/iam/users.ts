/**
 * Users: CreateUser, GetUser, ListUsers, UpdateUser (rename and move, carrying group memberships
 * and access keys along), DeleteUser (refused while anything still hangs off the user, as IAM
 * refuses it), and their tags.
 */
import type {
  CreateUserRequest,
  CreateUserResponse,
  DeleteUserRequest,
  GetUserRequest,
  GetUserResponse,
  ListUserTagsRequest,
  ListUserTagsResponse,
  ListUsersRequest,
  ListUsersResponse,
  TagUserRequest,
  UntagUserRequest,
  UpdateUserRequest,
} from '@aws-sdk/client-iam';
import type { RequestContext } from '../core/request-context.js';
import type { IamUser } from '../store/contract/iam.js';
import type { IamDeps } from './deps.js';
import { asNew, newEntityBase, groupsOfUser, underPath } from './entities.js';
import { alreadyExists, deleteConflict } from './errors.js';
import { iamArn } from './ids.js';
import { checkBoundary, entityOf } from './lookup.js';
import { pageOf } from './pagination.js';
import { dateOf, presentUser } from './present.js';
import { checkName, checkPath, checkPathPrefix, checkTags, mergeTags, removeTags } from './validate.js';

export const checkUserName = (name: string | undefined, field = 'userName') => checkName(field, name ?? '', 64);

export function userOperations({ store, clock }: IamDeps) {
  return {
    async CreateUser(input: CreateUserRequest, ctx: RequestContext): Promise<CreateUserResponse> {
      const name = checkUserName(input.UserName);
      const path = checkPath(input.Path);
      const tags = checkTags(input.Tags);
      const user: IamUser = { ...newEntityBase(ctx, clock, 'user', name, path, tags), type: 'user', inlinePolicies: {}, attachedPolicies: [] };
      await store.write(async (tx) => {
        if (await tx.iamEntities.get(ctx.principal.accountId, 'user', name)) throw alreadyExists('user', name);
        const boundary = await checkBoundary(tx, ctx, input.PermissionsBoundary);
        if (boundary !== undefined) user.permissionsBoundary = boundary;
        await tx.iamEntities.put(user);
      });
      return { User: presentUser(user) };
    },

    async GetUser(input: GetUserRequest, ctx: RequestContext): Promise<GetUserResponse> {
      if (input.UserName === undefined) {
        // Without a name, the caller: the root user answers with its account as its id.
        if (ctx.principal.isRoot) {
          return { User: { UserId: ctx.principal.accountId, Arn: ctx.principal.arn, CreateDate: dateOf(0) } as GetUserResponse['User'] };
        }
        const own = /:user(\/.*\/|\/)([^/]+)$/.exec(ctx.principal.arn);
        if (!own) return { User: { UserId: ctx.principal.accessKeyId, Arn: ctx.principal.arn, CreateDate: dateOf(0) } as GetUserResponse['User'] };
        input = { UserName: own[2] as string };
      }
      const name = checkUserName(input.UserName);
      const user = await store.read((tx) => entityOf(tx, ctx, 'user', name));
      return { User: presentUser(user) };
    },

    async ListUsers(input: ListUsersRequest, ctx: RequestContext): Promise<ListUsersResponse> {
      const prefix = checkPathPrefix(input.PathPrefix);
      const users = (await store.read((tx) => tx.iamEntities.list(ctx.principal.accountId, 'user'))).filter((user) => underPath(user.path, prefix));
      const { items, ...page } = pageOf(users, input);
      // ListUsers leaves tags out, as IAM does.
      return { Users: items.map((user) => ({ ...presentUser(user), Tags: undefined })), ...page };
    },

    async UpdateUser(input: UpdateUserRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkUserName(input.UserName);
      const newName = input.NewUserName === undefined ? undefined : checkUserName(input.NewUserName, 'newUserName');
      const newPath = input.NewPath === undefined ? undefined : checkPath(input.NewPath, 'newPath');
      await store.write(async (tx) => {
        const user = await entityOf(tx, ctx, 'user', name);
        const renamed = newName ?? user.name;
        const path = newPath ?? user.path;
        if (newName !== undefined && newName.toLowerCase() !== user.name.toLowerCase() && (await tx.iamEntities.get(ctx.principal.accountId, 'user', newName))) {
          throw alreadyExists('user', newName);
        }
        const arn = iamArn(ctx.principal.accountId, 'user', path, renamed);
        const updated: IamUser = { ...user, name: renamed, path, arn };
        if (renamed.toLowerCase() !== user.name.toLowerCase()) {
          await tx.iamEntities.delete(user);
          await tx.iamEntities.put(asNew(updated));
        } else {
          await tx.iamEntities.put(updated);
        }
        for (const group of await groupsOfUser(tx, ctx.principal.accountId, user.name)) {
          await tx.iamEntities.put({ ...group, members: group.members.map((member) => (member.toLowerCase() === user.name.toLowerCase() ? renamed : member)) });
        }
        if (arn !== user.arn) {
          for (const key of await tx.credentials.forPrincipal(user.arn)) await tx.credentials.put({ ...key, principalArn: arn });
        }
      });
      return {};
    },

    async DeleteUser(input: DeleteUserRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkUserName(input.UserName);
      await store.write(async (tx) => {
        const user = await entityOf(tx, ctx, 'user', name);
        if ((await tx.credentials.forPrincipal(user.arn)).length > 0) throw deleteConflict('Cannot delete entity, must delete access keys first.');
        if (Object.keys(user.inlinePolicies).length > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
        if (user.attachedPolicies.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
        if ((await groupsOfUser(tx, ctx.principal.accountId, user.name)).length > 0) throw deleteConflict('Cannot delete entity, must remove users from group first.');
        await tx.iamEntities.delete(user);
      });
      return {};
    },

    async TagUser(input: TagUserRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkUserName(input.UserName);
      const tags = checkTags(input.Tags);
      await store.write(async (tx) => {
        const user = await entityOf(tx, ctx, 'user', name);
        await tx.iamEntities.put({ ...user, tags: mergeTags(user.tags, tags) });
      });
      return {};
    },

    async UntagUser(input: UntagUserRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkUserName(input.UserName);
      await store.write(async (tx) => {
        const user = await entityOf(tx, ctx, 'user', name);
        await tx.iamEntities.put({ ...user, tags: removeTags(user.tags, input.TagKeys) });
      });
      return {};
    },

    async ListUserTags(input: ListUserTagsRequest, ctx: RequestContext): Promise<ListUserTagsResponse> {
      const name = checkUserName(input.UserName);
      const user = await store.read((tx) => entityOf(tx, ctx, 'user', name));
      const { items, ...page } = pageOf(user.tags, input);
      return { Tags: items, ...page };
    },
  };
}

