/**
 * STS's permissions (GetCallerIdentity needs none, authorize.ts lets it through; AssumeRole on the
 * role, GetSessionToken on `*`), and Berth's own API: ExplainPlacement takes RunTask's input and is
 * checked as `berth:ExplainPlacement` on the task definition with ecs:cluster; ListFargateHosts,
 * CreateAccount and ListAccounts on `*`.
 */
import { ecsPermissions } from './ecs.js';
import { on, onAny, text, type PermissionTable } from './types.js';

export const stsPermissions: PermissionTable = {
  GetCallerIdentity: onAny,
  AssumeRole: (input) => on([text(input.RoleArn)]),
  GetSessionToken: onAny,
};

export const berthPermissions: PermissionTable = {
  ExplainPlacement: (input, scope) => {
    const { passRoles: _notStarted, ...permission } = ecsPermissions.RunTask!(input, scope);
    return permission;
  },
  ListFargateHosts: onAny,
  // Account management: on `*`; the handlers also hold it to the installation's root.
  CreateAccount: onAny,
  ListAccounts: onAny,
};
