/**
 * The step every operation takes between its protocol's envelope and its handler, whatever the
 * protocol: the authorize decision over (principal, action, resource, context), then the handler.
 * The protocol modules find the operation and read its input; this module decides whether it runs.
 */
import { accessDenied, type Authorizer } from '../core/authorize.js';
import type { RequestContext } from '../core/request-context.js';
import { refuseOutsideSession } from '../sts/session-restrictions.js';
import type { JsonService } from './protocols/aws-json.js';
import type { QueryService } from './protocols/aws-query.js';
import type { Operation } from './protocols/operation.js';

/** A service Berth serves, in the protocol its clients speak. */
export type Service = JsonService | QueryService;

/** The IAM action an operation is: `ecs:RunTask`. */
export function actionOf(service: Service, operation: Operation): string {
  return `${service.signingName}:${operation.name}`;
}

const isArn = (value: unknown): value is string => typeof value === 'string' && value.startsWith('arn:');

/**
 * The resource an operation names, where that is cheap to see: the input's `resourceArn` (the
 * tagging operations), else the first top-level member given as an ARN; `*` otherwise.
 */
export function resourceOf(input: Record<string, unknown>): string {
  if (isArn(input.resourceArn)) return input.resourceArn;
  return Object.values(input).find(isArn) ?? '*';
}

/**
 * Authorizes the call, then runs the handler; a denied call is AWS's AccessDeniedException.
 * An operation that authorizes itself (AssumeRole evaluates the role's trust policy with the
 * caller's policies) skips the generic decision; the session rules apply to every call.
 */
export async function perform(
  service: Service,
  operation: Operation,
  input: Record<string, unknown>,
  context: RequestContext,
  authorize: Authorizer,
): Promise<unknown> {
  const action = actionOf(service, operation);
  refuseOutsideSession(context.principal, action);
  if (operation.authorizesItself) return operation.handler(input, context);
  const resource = resourceOf(input);
  const decision = authorize(context.principal, action, resource, { region: context.scope.region, rootOnly: operation.rootOnly });
  if (!decision.allowed) {
    context.log.info({ principal: context.principal.arn, action, resource, reason: decision.reason }, 'request denied');
    throw accessDenied(context.principal, action, resource, decision);
  }
  return operation.handler(input, context);
}
