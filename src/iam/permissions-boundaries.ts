/**
 * Permissions boundaries: a managed policy set on a user or role as the most its identity-based
 * policies may allow (Put/Delete…PermissionsBoundary, or PermissionsBoundary at creation). Only
 * stored here; policy evaluation applies them.
 */
import type { DeleteRolePermissionsBoundaryRequest, DeleteUserPermissionsBoundaryRequest, PutRolePermissionsBoundaryRequest, PutUserPermissionsBoundaryRequest } from '@aws-sdk/client-iam';
import type { RequestContext } from '../core/request-context.js';
import type { IamDeps } from './deps.js';
import { checkBoundary, entityOf } from './lookup.js';
import { checkRoleName, checkModifiable } from './roles.js';
import { checkUserName } from './users.js';

export function permissionsBoundaryOperations({ store }: IamDeps) {
  return {
    async PutUserPermissionsBoundary(input: PutUserPermissionsBoundaryRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkUserName(input.UserName);
      await store.write(async (tx) => {
        const user = await entityOf(tx, ctx, 'user', name);
        const boundary = await checkBoundary(tx, ctx, input.PermissionsBoundary);
        await tx.iamEntities.put({ ...user, ...(boundary !== undefined ? { permissionsBoundary: boundary } : {}) });
      });
      return {};
    },

    async DeleteUserPermissionsBoundary(input: DeleteUserPermissionsBoundaryRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkUserName(input.UserName);
      await store.write(async (tx) => {
        const { permissionsBoundary: _removed, ...user } = await entityOf(tx, ctx, 'user', name);
        await tx.iamEntities.put(user);
      });
      return {};
    },

    async PutRolePermissionsBoundary(input: PutRolePermissionsBoundaryRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkRoleName(input.RoleName);
      await store.write(async (tx) => {
        const role = await entityOf(tx, ctx, 'role', name);
        checkModifiable(role);
        const boundary = await checkBoundary(tx, ctx, input.PermissionsBoundary);
        await tx.iamEntities.put({ ...role, ...(boundary !== undefined ? { permissionsBoundary: boundary } : {}) });
      });
      return {};
    },

    async DeleteRolePermissionsBoundary(input: DeleteRolePermissionsBoundaryRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkRoleName(input.RoleName);
      await store.write(async (tx) => {
        const role = await entityOf(tx, ctx, 'role', name);
        checkModifiable(role);
        const { permissionsBoundary: _removed, ...rest } = role;
        await tx.iamEntities.put(rest);
      });
      return {};
    },
  };
}
