/**
 * The policies users, groups and roles carry: inline policies (Put/Get/List/Delete…Policy) and
 * attached managed policies (Attach/Detach…Policy, ListAttached…Policies), written once over the
 * three holder types, and ListEntitiesForPolicy, which answers the other direction by scanning.
 */
import { PolicyNotAttachableException, type AttachedPolicy, type ListEntitiesForPolicyRequest, type ListEntitiesForPolicyResponse } from '@aws-sdk/client-iam';
import { modelled } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { IamGroup, IamRole, IamUser } from '../store/contract/iam.js';
import type { StoreTx } from '../store/types.js';
import type { IamDeps } from './deps.js';
import { holdersIn, underPath } from './entities.js';
import { limitExceeded, noSuchEntityMessage } from './errors.js';
import { parsePolicyArn } from './ids.js';
import { attachablePolicyOf, entityOf, policyOf } from './lookup.js';
import { pageOf, type PageInput } from './pagination.js';
import { checkPolicyDocument, encodedDocument } from './policy-document.js';
import { checkModifiable } from './roles.js';
import { checkName, checkPathPrefix, checkPolicyArn } from './validate.js';

type HolderType = 'user' | 'group' | 'role';
type Holder = IamUser | IamGroup | IamRole;

/** Each holder type's wire names: `User` in PutUserPolicy, `userName` in its validation errors. */
const holderTypes: Record<HolderType, { wire: 'User' | 'Group' | 'Role'; field: string; maxName: number; quota: string; inlineBytes: number }> = {
  user: { wire: 'User', field: 'userName', maxName: 64, quota: 'PoliciesPerUser', inlineBytes: 2048 },
  group: { wire: 'Group', field: 'groupName', maxName: 128, quota: 'PoliciesPerGroup', inlineBytes: 5120 },
  role: { wire: 'Role', field: 'roleName', maxName: 64, quota: 'PoliciesPerRole', inlineBytes: 10240 },
};

/** IAM's quota on a holder's inline policies together, counted without whitespace. */
const inlineSize = (policies: Record<string, string>) => Object.values(policies).reduce((sum, text) => sum + text.replace(/\s/g, '').length, 0);

const managedPoliciesPerHolder = 10;

const checkPolicyName = (name: string | undefined) => checkName('policyName', name ?? '', 128);

/** The inline and attached policy operations of one holder type (User, Group or Role). */
function holderOperations({ store }: IamDeps, type: HolderType) {
  const { wire, field, maxName, quota, inlineBytes } = holderTypes[type];
  const nameOf = (input: Record<string, unknown>) => checkName(field, (input[`${wire}Name`] as string | undefined) ?? '', maxName);
  const holderOf = (tx: StoreTx, ctx: RequestContext, name: string) => entityOf(tx, ctx, type, name) as Promise<Holder>;
  const save = (tx: StoreTx, holder: Holder) => tx.iamEntities.put(holder);
  const noSuchInline = (policyName: string) => noSuchEntityMessage(`The ${type} policy with name ${policyName} cannot be found.`);

  return {
    async [`Put${wire}Policy`](input: Record<string, unknown>, ctx: RequestContext): Promise<Record<string, never>> {
      const name = nameOf(input);
      const policyName = checkPolicyName(input.PolicyName as string | undefined);
      const document = (input.PolicyDocument as string | undefined) ?? '';
      checkPolicyDocument(document, 'inline');
      await store.write(async (tx) => {
        const holder = await holderOf(tx, ctx, name);
        if (holder.type === 'role') checkModifiable(holder);
        const inlinePolicies = { ...holder.inlinePolicies, [policyName]: document };
        if (inlineSize(inlinePolicies) > inlineBytes) throw limitExceeded(`Maximum policy size of ${inlineBytes} bytes exceeded for ${type} ${holder.name}`);
        await save(tx, { ...holder, inlinePolicies });
      });
      return {};
    },

    async [`Get${wire}Policy`](input: Record<string, unknown>, ctx: RequestContext): Promise<Record<string, string>> {
      const name = nameOf(input);
      const policyName = checkPolicyName(input.PolicyName as string | undefined);
      const holder = await store.read((tx) => holderOf(tx, ctx, name));
      const document = holder.inlinePolicies[policyName];
      if (document === undefined) throw noSuchInline(policyName);
      return { [`${wire}Name`]: holder.name, PolicyName: policyName, PolicyDocument: encodedDocument(document) };
    },

    async [`List${wire}Policies`](input: Record<string, unknown>, ctx: RequestContext): Promise<Record<string, unknown>> {
      const name = nameOf(input);
      const holder = await store.read((tx) => holderOf(tx, ctx, name));
      const { items, ...page } = pageOf(Object.keys(holder.inlinePolicies).sort(), input as PageInput);
      return { PolicyNames: items, ...page };
    },

    async [`Delete${wire}Policy`](input: Record<string, unknown>, ctx: RequestContext): Promise<Record<string, never>> {
      const name = nameOf(input);
      const policyName = checkPolicyName(input.PolicyName as string | undefined);
      await store.write(async (tx) => {
        const holder = await holderOf(tx, ctx, name);
        if (holder.inlinePolicies[policyName] === undefined) throw noSuchInline(policyName);
        if (holder.type === 'role') checkModifiable(holder);
        const { [policyName]: _removed, ...rest } = holder.inlinePolicies;
        await save(tx, { ...holder, inlinePolicies: rest });
      });
      return {};
    },

    async [`Attach${wire}Policy`](input: Record<string, unknown>, ctx: RequestContext): Promise<Record<string, never>> {
      const name = nameOf(input);
      const arn = checkPolicyArn(input.PolicyArn as string | undefined);
      await store.write(async (tx) => {
        const holder = await holderOf(tx, ctx, name);
        if (holder.type === 'role') checkModifiable(holder);
        const policy = await attachablePolicyOf(tx, ctx, arn);
        if (policy.kind === 'aws' && !policy.policy.attachable) throw modelled(PolicyNotAttachableException, `Cannot attach a Service Role Policy to a Customer ${wire}.`);
        if (holder.attachedPolicies.includes(arn)) return;
        if (holder.attachedPolicies.length >= managedPoliciesPerHolder) throw limitExceeded(`Cannot exceed quota for ${quota}: ${managedPoliciesPerHolder}`);
        await save(tx, { ...holder, attachedPolicies: [...holder.attachedPolicies, arn] });
      });
      return {};
    },

    async [`Detach${wire}Policy`](input: Record<string, unknown>, ctx: RequestContext): Promise<Record<string, never>> {
      const name = nameOf(input);
      const arn = checkPolicyArn(input.PolicyArn as string | undefined);
      await store.write(async (tx) => {
        const holder = await holderOf(tx, ctx, name);
        if (holder.type === 'role') checkModifiable(holder);
        await policyOf(tx, ctx, arn);
        if (!holder.attachedPolicies.includes(arn)) throw noSuchEntityMessage(`Policy ${arn} was not attached.`);
        await save(tx, { ...holder, attachedPolicies: holder.attachedPolicies.filter((attached) => attached !== arn) });
      });
      return {};
    },

    async [`ListAttached${wire}Policies`](input: Record<string, unknown>, ctx: RequestContext): Promise<Record<string, unknown>> {
      const name = nameOf(input);
      const prefix = checkPathPrefix(input.PathPrefix as string | undefined);
      const holder = await store.read((tx) => holderOf(tx, ctx, name));
      const attached: AttachedPolicy[] = holder.attachedPolicies
        .map((arn) => ({ arn, parts: parsePolicyArn(arn) }))
        .filter(({ parts }) => parts !== undefined && underPath(parts.path, prefix))
        .map(({ arn, parts }) => ({ PolicyName: parts?.name as string, PolicyArn: arn }));
      const { items, ...page } = pageOf(attached, input as PageInput);
      return { AttachedPolicies: items, ...page };
    },
  };
}

export function identityPolicyOperations(deps: IamDeps) {
  return {
    ...holderOperations(deps, 'user'),
    ...holderOperations(deps, 'group'),
    ...holderOperations(deps, 'role'),

    async ListEntitiesForPolicy(input: ListEntitiesForPolicyRequest, ctx: RequestContext): Promise<ListEntitiesForPolicyResponse> {
      const arn = checkPolicyArn(input.PolicyArn);
      const prefix = checkPathPrefix(input.PathPrefix);
      const filter = input.EntityFilter;
      const holders = await deps.store.read(async (tx) => {
        await policyOf(tx, ctx, arn);
        return holdersIn(tx, ctx.principal.accountId);
      });
      const holding = <T extends Holder>(list: T[], kind: string) =>
        filter === undefined || filter === kind ? list.filter((holder) => holder.attachedPolicies.includes(arn) && underPath(holder.path, prefix)) : [];
      const entities = [
        ...holding(holders.groups, 'Group').map((group) => ({ kind: 'group' as const, name: group.name, id: group.id })),
        ...holding(holders.users, 'User').map((user) => ({ kind: 'user' as const, name: user.name, id: user.id })),
        ...holding(holders.roles, 'Role').map((role) => ({ kind: 'role' as const, name: role.name, id: role.id })),
      ];
      const { items, ...page } = pageOf(entities, input);
      return {
        PolicyGroups: items.filter((item) => item.kind === 'group').map((item) => ({ GroupName: item.name, GroupId: item.id })),
        PolicyUsers: items.filter((item) => item.kind === 'user').map((item) => ({ UserName: item.name, UserId: item.id })),
        PolicyRoles: items.filter((item) => item.kind === 'role').map((item) => ({ RoleName: item.name, RoleId: item.id })),
        ...page,
      };
    },
  };
}
