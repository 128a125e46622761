/** What a new IAM entity starts with, and the relations read by scanning an account's records. */
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/request-context.js';
import type { IamEntityType, IamGroup, IamInstanceProfile, IamRole, IamTag, IamUser } from '../store/contract/iam.js';
import { storeVersion } from '../store/contract/core.js';
import type { StoreTx } from '../store/types.js';
import { iamArn, newIamId } from './ids.js';

export function newEntityBase(ctx: RequestContext, clock: Clock, type: IamEntityType, name: string, path: string, tags: IamTag[]) {
  const accountId = ctx.principal.accountId;
  return { accountId, name, id: newIamId(type), arn: iamArn(accountId, type, path, name), path, createdAt: Math.floor(clock.now().getTime() / 1000), tags };
}

export const epochSeconds = (clock: Clock): number => Math.floor(clock.now().getTime() / 1000);

/** Whether a path starts with `prefix` (IAM's PathPrefix filter). */
export const underPath = (path: string, prefix: string): boolean => path.startsWith(prefix);

export interface Holders {
  users: IamUser[];
  groups: IamGroup[];
  roles: IamRole[];
}

/** The users, groups and roles of the account: who may hold a managed policy. */
export async function holdersIn(tx: StoreTx, accountId: string): Promise<Holders> {
  const [users, groups, roles] = await Promise.all([tx.iamEntities.list(accountId, 'user'), tx.iamEntities.list(accountId, 'group'), tx.iamEntities.list(accountId, 'role')]);
  return { users, groups, roles };
}

/** How many users, groups and roles of the account a managed policy is attached to. */
export function attachmentCount(holders: Holders, policyArn: string): number {
  return [...holders.users, ...holders.groups, ...holders.roles].filter((holder) => holder.attachedPolicies.includes(policyArn)).length;
}

/** How many users and roles of the account have a managed policy as their permissions boundary. */
export function boundaryCount(holders: Holders, policyArn: string): number {
  return [...holders.users, ...holders.roles].filter((holder) => holder.permissionsBoundary === policyArn).length;
}

export async function groupsOfUser(tx: StoreTx, accountId: string, userName: string): Promise<IamGroup[]> {
  const lower = userName.toLowerCase();
  return (await tx.iamEntities.list(accountId, 'group')).filter((group) => group.members.some((member) => member.toLowerCase() === lower));
}

export async function instanceProfilesOfRole(tx: StoreTx, accountId: string, roleName: string): Promise<IamInstanceProfile[]> {
  const lower = roleName.toLowerCase();
  return (await tx.iamEntities.list(accountId, 'instanceProfile')).filter((profile) => profile.roles.some((role) => role.toLowerCase() === lower));
}

/** A record as a new row (a renamed entity is another row): inserted, not compared with the version it was read at. */
export function asNew<T extends object>(record: T): T {
  const copy = { ...record } as T & { [storeVersion]?: number };
  delete copy[storeVersion];
  return copy;
}
