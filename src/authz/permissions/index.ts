/** The permission tables of every service Berth serves, by the service's signing name (the IAM service prefix). */
import { acmPermissions } from './acm.js';
import { cloudWatchPermissions } from './cloudwatch.js';
import { ecrPermissions } from './ecr.js';
import { ecsPermissions } from './ecs.js';
import { elbv2Permissions } from './elbv2.js';
import { iamPermissions } from './iam.js';
import { logsPermissions } from './logs.js';
import { secretsManagerPermissions } from './secretsmanager.js';
import { ssmPermissions } from './ssm.js';
import { berthPermissions, stsPermissions } from './sts-berth.js';
import type { PermissionTable } from './types.js';

export const permissionTables: ReadonlyMap<string, PermissionTable> = new Map([
  ['ecs', ecsPermissions],
  ['ecr', ecrPermissions],
  ['secretsmanager', secretsManagerPermissions],
  ['elasticloadbalancing', elbv2Permissions],
  ['iam', iamPermissions],
  ['sts', stsPermissions],
  ['ssm', ssmPermissions],
  ['acm', acmPermissions],
  ['monitoring', cloudWatchPermissions],
  ['logs', logsPermissions],
  ['berth', berthPermissions],
]);

/** The table entry of an operation, or undefined when the table has none (the table test fails then). */
export function permissionEntry(signingName: string, operation: string) {
  return permissionTables.get(signingName)?.[operation];
}

export type { Permission, PermissionOf, PermissionTable, PassedRoles, Keys } from './types.js';
