/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy: IAM's policy simulator. The policies of a
 * user (with its groups'), group or role, or policies given as text, are evaluated for every
 * action against every resource by the evaluator enforcement uses (src/iam/policy/), and the
 * answer names the statements that decided (simulate/simulation.ts).
 *
 * The request is checked whole before anything is read: action names, ARNs, context entries, the
 * policy texts. What the simulator cannot model is refused rather than ignored: Organizations
 * policies (Berth has no organizations) and the EC2 ResourceHandlingOption scenarios.
 */
import type { EvaluationResult, SimulateCustomPolicyRequest, SimulatePolicyResponse, SimulatePrincipalPolicyRequest } from '@aws-sdk/client-iam';
import { Arn } from '../core/arn.js';
import { withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { IamGroup, IamRole, IamUser } from '../store/contract/iam.js';
import type { StoreTx } from '../store/types.js';
import type { IamDeps } from './deps.js';
import { invalidInput, malformedPolicy, noSuchEntity } from './errors.js';
import { pageOf } from './pagination.js';
import { parseAndCompile, PolicyDocumentError, type PolicyKind, type RequestPrincipal } from './policy/index.js';
import { permissionsBoundaryOf, policiesOfHolder, type SourcedPolicy } from './principal-policies.js';
import { contextKeysOf } from './simulate/context-entries.js';
import { simulate, type SimulatedPolicy, type Simulation } from './simulate/simulation.js';

type Holder = IamUser | IamGroup | IamRole;

/** A policy given as text in the request, compiled, or MalformedPolicyDocument naming the field. */
function inputPolicy(text: string, kind: PolicyKind, id: string): SimulatedPolicy {
  try {
    return { attached: { id, policy: parseAndCompile(text, { kind }) }, label: { id, type: kind === 'resource' ? 'resource' : 'none' } };
  } catch (error) {
    if (error instanceof PolicyDocumentError) throw withHelp(malformedPolicy(error.message), { field: id, hint: error.detail });
    throw error;
  }
}

export function inputPolicies(texts: readonly string[] | undefined, field: string): SimulatedPolicy[] {
  return (texts ?? []).map((text, index) => inputPolicy(text, 'identity', `${field}.${index + 1}`));
}

function checkActions(names: readonly string[] | undefined): readonly string[] {
  const actions = names ?? [];
  for (const name of actions) {
    if (!/^[a-zA-Z0-9-]+:[A-Za-z0-9-]+$/.test(name)) {
      throw withHelp(invalidInput(`Invalid action name: ${name}`), {
        field: 'ActionNames',
        hint: 'Name each action with its service prefix and without wildcards, e.g. ecs:RunTask.',
      });
    }
  }
  return actions;
}

function checkResources(arns: readonly string[] | undefined): string[] | undefined {
  if (arns === undefined || arns.length === 0) return undefined;
  for (const arn of arns) {
    if (arn !== '*' && !Arn.parse(arn)) throw withHelp(invalidInput(`Invalid ARN: ${arn}`), { field: 'ResourceArns', hint: 'Give resource ARNs (arn:aws:ecs:us-east-1:000000000000:cluster/default) or *.' });
  }
  return [...arns];
}

/** ResourceOwner: `arn:aws:iam::<account>:root`; its account. */
function checkOwner(owner: string | undefined): string | undefined {
  if (owner === undefined) return undefined;
  const arn = Arn.parse(owner);
  if (!arn || arn.service !== 'iam' || arn.resource !== 'root' || !/^\d{12}$/.test(arn.accountId)) {
    throw withHelp(invalidInput(`Invalid ResourceOwner: ${owner}`), { field: 'ResourceOwner', hint: 'Name the account as arn:aws:iam::<account id>:root.' });
  }
  return arn.accountId;
}

/** The user, group or role an ARN names, among `types`: [type, account, name], or InvalidInput. */
export function entityArn(arn: string, field: string, types: readonly Holder['type'][]): { type: Holder['type']; accountId: string } {
  const parsed = Arn.parse(arn);
  const type = parsed?.resourceType as Holder['type'] | undefined;
  if (!parsed || parsed.service !== 'iam' || !type || !types.includes(type) || parsed.resourcePath.length === 0) {
    throw withHelp(invalidInput(`Invalid ARN ${arn} for ${field}.`), { field, hint: `Name an IAM ${types.join(', ')} by its ARN, e.g. arn:aws:iam::000000000000:${types[0]}/name.` });
  }
  return { type, accountId: parsed.accountId };
}

/** The entity an ARN names, or NoSuchEntity; the ARN must match it, path included. */
export async function holderOf(tx: StoreTx, arn: string, field: string, types: readonly Holder['type'][]): Promise<Holder> {
  const { type, accountId } = entityArn(arn, field, types);
  const name = arn.split('/').at(-1) ?? '';
  const holder = (await tx.iamEntities.get(accountId, type, name)) as Holder | undefined;
  if (!holder || holder.arn !== arn) throw withHelp(noSuchEntity(type, name), { field });
  return holder;
}

/** Who the simulated request comes from: the user (aws:username, aws:userid) or a role as if by a session of it. */
function principalOf(holder: Holder): RequestPrincipal {
  const tags = Object.fromEntries(holder.tags.map((tag) => [tag.Key, tag.Value]));
  if (holder.type === 'user') return { kind: 'user', arn: holder.arn, accountId: holder.accountId, userId: holder.id, username: holder.name, tags };
  if (holder.type === 'role') return { kind: 'assumed-role', arn: holder.arn, entityArn: holder.arn, accountId: holder.accountId, userId: holder.id, tags };
  // A group cannot call anything; its policies are simulated as those of an unnamed member.
  return { kind: 'user', arn: holder.arn, accountId: holder.accountId };
}

/** A stored policy, labelled as IAM labels it (inline: the holder's type; managed: aws-managed or user-managed). */
function storedPolicy(sourced: SourcedPolicy, holderArn: string): SimulatedPolicy {
  const { source, holder } = sourced;
  const id = source.kind === 'inline' ? `${holder.type}/${holder.name}/${source.name}` : source.arn;
  const label =
    source.kind === 'inline'
      ? { id: source.name, type: holder.type }
      : { id: source.arn.split('/').at(-1) ?? source.arn, type: source.arn.startsWith('arn:aws:iam::aws:') ? ('aws-managed' as const) : ('user-managed' as const) };
  try {
    return { attached: { id, source: holderArn, policy: parseAndCompile(sourced.document, { kind: 'identity' }) }, label };
  } catch (error) {
    // Stored documents passed the same parser when they were stored.
    throw new Error(`stored policy ${id} no longer parses: ${String(error)}`);
  }
}

export async function policiesOfSource(tx: StoreTx, holder: Holder): Promise<SimulatedPolicy[]> {
  const policies = (await policiesOfHolder(tx, holder)).map((sourced) => storedPolicy(sourced, holder.arn));
  if (holder.type !== 'user') return policies;
  const lower = holder.name.toLowerCase();
  for (const group of await tx.iamEntities.list(holder.accountId, 'group')) {
    if (group.members.some((member) => member.toLowerCase() === lower)) policies.push(...(await policiesOfHolder(tx, group)).map((sourced) => storedPolicy(sourced, group.arn)));
  }
  return policies;
}

/** What both operations take alike, checked before anything is read. */
function commonInput(input: SimulateCustomPolicyRequest | SimulatePrincipalPolicyRequest) {
  if (input.ResourceHandlingOption !== undefined) {
    throw withHelp(invalidInput(`Invalid ResourceHandlingOption: ${input.ResourceHandlingOption}`), {
      field: 'ResourceHandlingOption',
      hint: 'The EC2 scenarios need EC2 resources, which Berth does not have; leave ResourceHandlingOption out.',
    });
  }
  const boundaries = inputPolicies(input.PermissionsBoundaryPolicyInputList, 'PermissionsBoundaryPolicyInputList');
  if (boundaries.length > 1) {
    throw withHelp(invalidInput('Only one permissions boundary policy can be simulated.'), { field: 'PermissionsBoundaryPolicyInputList', hint: 'A user or role has at most one permissions boundary.' });
  }
  return {
    actions: checkActions(input.ActionNames),
    resources: checkResources(input.ResourceArns),
    owner: checkOwner(input.ResourceOwner),
    keys: contextKeysOf(input.ContextEntries),
    policies: inputPolicies(input.PolicyInputList, 'PolicyInputList'),
    boundary: boundaries[0],
    resourcePolicy: input.ResourcePolicy !== undefined ? inputPolicy(input.ResourcePolicy, 'resource', 'ResourcePolicy') : undefined,
  };
}

function answer(simulation: Simulation, input: { MaxItems?: number | undefined; Marker?: string | undefined }): SimulatePolicyResponse {
  const page = pageOf<EvaluationResult>(simulate(simulation), input);
  return { EvaluationResults: page.items, IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
}

const needsCaller = (operation: string) =>
  withHelp(invalidInput('CallerArn is required when a ResourcePolicy is included in the simulation.'), {
    field: 'CallerArn',
    hint: `The resource policy's Principal element needs a caller to match: give CallerArn (an IAM user's ARN) to ${operation}.`,
  });

export function simulateOperations({ store, clock }: IamDeps) {
  return {
    async SimulatePrincipalPolicy(input: SimulatePrincipalPolicyRequest, ctx: RequestContext): Promise<SimulatePolicyResponse> {
      const common = commonInput(input);
      const sourceArn = input.PolicySourceArn ?? '';
      entityArn(sourceArn, 'PolicySourceArn', ['user', 'group', 'role']);
      if (input.CallerArn !== undefined) entityArn(input.CallerArn, 'CallerArn', ['user']);
      return store.read(async (tx) => {
        const source = await holderOf(tx, sourceArn, 'PolicySourceArn', ['user', 'group', 'role']);
        if (source.accountId !== ctx.principal.accountId) throw withHelp(noSuchEntity(source.type, source.name), { field: 'PolicySourceArn' });
        const caller = input.CallerArn !== undefined ? await holderOf(tx, input.CallerArn, 'CallerArn', ['user']) : undefined;
        if (common.resourcePolicy && !caller && source.type !== 'user') throw needsCaller('SimulatePrincipalPolicy');
        // A boundary given in the request stands in for the entity's own.
        const stored = common.boundary ? undefined : await permissionsBoundaryOf(tx, source.arn);
        const boundary = common.boundary ?? (stored && storedPolicy(stored, source.arn));
        const simulation: Simulation = {
          principal: principalOf(caller ?? source),
          identity: [...(await policiesOfSource(tx, source)), ...common.policies],
          ...(boundary ? { boundary } : {}),
          ...(common.resourcePolicy ? { resourcePolicy: common.resourcePolicy } : {}),
          actions: common.actions,
          ...(common.resources ? { resources: common.resources } : {}),
          ...(common.owner ? { resourceOwner: common.owner } : {}),
          keys: common.keys,
          now: clock.now(),
        };
        return answer(simulation, input);
      });
    },

    async SimulateCustomPolicy(input: SimulateCustomPolicyRequest, ctx: RequestContext): Promise<SimulatePolicyResponse> {
      if ((input.OrderedOrganizationPolicyInputList?.length ?? 0) > 0) {
        throw withHelp(invalidInput('OrderedOrganizationPolicyInputList is not supported: there are no organizations.'), {
          field: 'OrderedOrganizationPolicyInputList',
          hint: 'Berth has no AWS Organizations, so no service control policy applies; leave the list out.',
        });
      }
      const common = commonInput(input);
      if (input.CallerArn !== undefined) entityArn(input.CallerArn, 'CallerArn', ['user', 'group', 'role']);
      if (common.resourcePolicy && input.CallerArn === undefined) throw needsCaller('SimulateCustomPolicy');
      return store.read(async (tx) => {
        const caller = input.CallerArn !== undefined ? await holderOf(tx, input.CallerArn, 'CallerArn', ['user', 'group', 'role']) : undefined;
        // Without a caller the request comes from nobody in particular of the account: no aws:username, no tags.
        const principal: RequestPrincipal = caller ? principalOf(caller) : { kind: 'user', arn: '', accountId: ctx.principal.accountId };
        const simulation: Simulation = {
          principal,
          identity: common.policies,
          ...(common.boundary ? { boundary: common.boundary } : {}),
          ...(common.resourcePolicy ? { resourcePolicy: common.resourcePolicy } : {}),
          actions: common.actions,
          ...(common.resources ? { resources: common.resources } : {}),
          ...(common.owner ? { resourceOwner: common.owner } : {}),
          keys: common.keys,
          now: clock.now(),
        };
        return answer(simulation, input);
      });
    },
  };
}
