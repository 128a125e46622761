/**
 * What every protocol's services share: operations built from the SDK's service model, each with
 * its input and output schemas and a handler that receives a checked input and a context and never
 * sees HTTP. A protocol module (aws-json.ts, aws-query.ts) adds how its requests name a service and
 * an operation, how it reads input and how it writes answers and errors.
 */
import { NormalizedSchema } from '@smithy/core/schema';
import type { StaticOperationSchema } from '@smithy/types';
import { ServiceException } from '@smithy/core/client';
import type { ModelledErrorClass } from '../../core/errors.js';
import type { RequestContext } from '../../core/request-context.js';

export type Handler = (input: never, context: RequestContext) => Promise<unknown>;

export interface Operation {
  name: string;
  input: NormalizedSchema;
  output: NormalizedSchema;
  handler: (input: Record<string, unknown>, context: RequestContext) => Promise<unknown>;
  /** Only root credentials may call it (the authorize step refuses everyone else). */
  rootOnly: boolean;
  /**
   * The handler makes the whole authorization decision itself, so the edge's generic step does not
   * (STS AssumeRole: the role's trust policy and the caller's policies, evaluated together).
   */
  authorizesItself?: boolean;
}

export interface ServiceIdentity {
  /** Short name for logs and the health endpoint, e.g. "ecs". */
  id: string;
  /**
   * The service name clients put in their SigV4 credential scope. It is also the service prefix of
   * the operations' IAM actions (`ecs:RunTask`), as it is for every service Berth serves.
   */
  signingName: string;
}

export interface OperationOptions {
  /** Operations only root credentials may call. */
  rootOnly?: readonly string[];
  /** Operations whose handlers decide authorization themselves (see Operation.authorizesItself). */
  authorizesItself?: readonly string[];
}

function schemaOf(ref: unknown): NormalizedSchema {
  return NormalizedSchema.of((typeof ref === 'function' ? ref() : ref) as never);
}

/**
 * Operations from handlers named after the model's operations. Each name must exist in the SDK
 * module as an operation schema (`<Name>$`), so a typo fails at start-up rather than at request time.
 */
export function operationsOf(model: Record<string, unknown>, serviceId: string, handlers: Record<string, Handler>, options: OperationOptions = {}): Map<string, Operation> {
  const operations = new Map<string, Operation>();
  for (const [name, handler] of Object.entries(handlers)) {
    const schema = model[`${name}$`] as StaticOperationSchema | undefined;
    if (!Array.isArray(schema) || schema[0] !== 9) throw new Error(`${serviceId}: ${name} is not an operation of the service model`);
    operations.set(name, {
      name,
      input: schemaOf(schema[4]),
      output: schemaOf(schema[5]),
      handler: handler as Operation['handler'],
      rootOnly: options.rootOnly?.includes(name) ?? false,
      authorizesItself: options.authorizesItself?.includes(name) ?? false,
    });
  }
  for (const name of options.rootOnly ?? []) {
    if (!operations.has(name)) throw new Error(`${serviceId}: root-only ${name} is not one of its operations`);
  }
  for (const name of options.authorizesItself ?? []) {
    if (!operations.has(name)) throw new Error(`${serviceId}: self-authorizing ${name} is not one of its operations`);
  }
  return operations;
}

/**
 * The model's one server-fault exception class (ECS's and ECR's ServerException, Secrets Manager's
 * InternalServiceError), found by the fault the generated class declares; undefined when the
 * model has none or several.
 */
export function serverFaultOf(model: Record<string, unknown>): ModelledErrorClass | undefined {
  const found: ModelledErrorClass[] = [];
  for (const value of Object.values(model)) {
    if (typeof value !== 'function' || !(value.prototype instanceof ServiceException)) continue;
    const errorClass = value as ModelledErrorClass;
    try {
      if (new errorClass({ message: '', $metadata: {} }).$fault === 'server') found.push(errorClass);
    } catch {
      // Not an exception class of the model.
    }
  }
  return found.length === 1 ? found[0] : undefined;
}
