/**
 * The step every operation takes between its protocol's envelope and its handler, whatever the
 * protocol: the authorize decisions, then the handler. The protocol modules find the operation
 * and read its input; this module decides whether it runs.
 *
 * What is checked comes from the permission table (src/authz/permissions/): the operation's IAM
 * action on each resource it names, with the condition keys the request supplies, then
 * iam:PassRole on each role the operation hands to a service. An operation that decides itself
 * (STS AssumeRole evaluates the role's trust policy) is let through to its handler.
 */
import { accessDenied, type AuthorizationContext, type Authorizer } from '../core/authorize.js';
import type { RequestContext } from '../core/request-context.js';
import { permissionEntry, type Permission } from '../authz/permissions/index.js';
import type { Store } from '../store/types.js';
import { refuseOutsideSession } from '../sts/session-restrictions.js';
import type { JsonService } from './protocols/aws-json.js';
import type { QueryService } from './protocols/aws-query.js';
import type { Operation } from './protocols/operation.js';

/** A service Berth serves, in the protocol its clients speak. */
export type Service = JsonService | QueryService;

/** Services whose IAM prefix is not the name requests are signed for. */
const iamPrefixes: Readonly<Record<string, string>> = { monitoring: 'cloudwatch' };

/** The IAM action an operation is: `ecs:RunTask`, `cloudwatch:PutMetricData` (signed for `monitoring`). */
export function actionOf(service: Service, operation: Operation): string {
  return `${iamPrefixes[service.signingName] ?? service.signingName}:${operation.name}`;
}

const isArn = (value: unknown): value is string => typeof value === 'string' && value.startsWith('arn:');

/**
 * The resource an operation names when the permission table has no entry for it: the input's
 * `resourceArn`, else the first top-level member given as an ARN; `*` otherwise. (The table test
 * fails for such an operation, so this serves only operations added since.)
 */
export function resourceOf(input: Record<string, unknown>): string {
  if (isArn(input.resourceArn)) return input.resourceArn;
  return Object.values(input).find(isArn) ?? '*';
}

/** What the permission table says the call needs; the fallback for an operation it does not list. */
export function permissionOf(service: Service, operation: Operation, input: Record<string, unknown>, context: RequestContext): Permission {
  const entry = permissionEntry(service.signingName, operation.name);
  return entry ? entry(input, context.scope, context.principal.arn) : { resources: [resourceOf(input)] };
}

/** How the edge authorizes: the decider, and the store the table's lookups read. */
export interface Authorization {
  authorize: Authorizer;
  store: Store;
}

/**
 * Authorizes the call, then runs the handler; a denied call is AWS's AccessDeniedException.
 * The session rules (GetSessionToken credentials never reach IAM) apply to every call; an
 * operation that authorizes itself (AssumeRole evaluates the role's trust policy with the
 * caller's policies) skips the permission table's checks.
 */
export async function perform(
  service: Service,
  operation: Operation,
  input: Record<string, unknown>,
  context: RequestContext,
  authorization: Authorization,
): Promise<unknown> {
  refuseOutsideSession(context.principal, actionOf(service, operation));
  if (!operation.authorizesItself) await authorizeCall(service, operation, input, context, authorization);
  return operation.handler(input, context);
}

async function authorizeCall(service: Service, operation: Operation, input: Record<string, unknown>, context: RequestContext, { authorize, store }: Authorization): Promise<void> {
  const permission = permissionOf(service, operation, input, context);
  const action = permission.action ?? actionOf(service, operation);
  let { resources, keys } = permission;
  const { principal } = context;
  // Root's calls skip the store lookups: in its own account root is allowed whatever the names
  // resolve to, and another account's resource it can only name by ARN.
  const lookups = !principal.isRoot && (permission.resolve !== undefined || permission.passRoles !== undefined);
  const found = lookups
    ? await store.read(async (tx) => ({ resolved: (await permission.resolve?.(tx)) ?? {}, passed: await permission.passRoles?.(tx) }))
    : { resolved: {} as Awaited<ReturnType<NonNullable<Permission['resolve']>>>, passed: undefined };
  resources = found.resolved.resources ?? resources;
  if (found.resolved.keys) keys = { ...keys, ...found.resolved.keys };
  const base: AuthorizationContext = {
    region: context.scope.region,
    rootOnly: operation.rootOnly,
    ...(context.sourceIp !== undefined ? { sourceIp: context.sourceIp } : {}),
    ...(context.secureTransport !== undefined ? { secureTransport: context.secureTransport } : {}),
  };
  for (const resource of resources) {
    const own = found.resolved.resourceKeys?.[resource];
    const resourceKeys = own ? { ...keys, ...own } : keys;
    await check(authorize, context, action, resource, { ...base, ...(resourceKeys ? { keys: resourceKeys } : {}) });
  }
  for (const role of found.passed?.roleArns ?? []) {
    await check(authorize, context, 'iam:PassRole', role, { ...base, rootOnly: false, keys: { 'iam:PassedToService': found.passed!.passedTo } });
  }
}

async function check(authorize: Authorizer, context: RequestContext, action: string, resource: string, authorizationContext: AuthorizationContext): Promise<void> {
  const decision = await authorize(context.principal, action, resource, authorizationContext);
  if (!decision.allowed) {
    context.log.info({ principal: context.principal.arn, action, resource, reason: decision.reason }, 'request denied');
    throw accessDenied(context.principal, action, resource, decision);
  }
}
