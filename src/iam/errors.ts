/**
 * IAM's errors, worded as IAM words them. The modelled exceptions travel under their
 * `awsQueryError` codes (NoSuchEntity, EntityAlreadyExists, …); `ValidationError` is the Query
 * protocol's own, worded as IAM's request validation words it.
 */
import {
  DeleteConflictException,
  EntityAlreadyExistsException,
  InvalidInputException,
  LimitExceededException,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  UnmodifiableEntityException,
} from '@aws-sdk/client-iam';
import { ApiError, modelled, withHelp } from '../core/errors.js';

export const validationError = (message: string) => new ApiError('ValidationError', message);

/** "1 validation error detected: Value 'x' at 'userName' failed to satisfy constraint: …" */
export function constraintError(field: string, value: unknown, constraint: string): ApiError {
  return new ApiError('ValidationError', `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

export const invalidInput = (message: string) => modelled(InvalidInputException, message);
export const malformedPolicy = (message: string) => modelled(MalformedPolicyDocumentException, message);
export const limitExceeded = (message: string) => modelled(LimitExceededException, message);
export const deleteConflict = (message: string) => modelled(DeleteConflictException, message);
export const unmodifiable = (message: string) => modelled(UnmodifiableEntityException, message);

/** How IAM names each entity type in its NoSuchEntity and EntityAlreadyExists messages. */
const wording = {
  user: { missing: (name: string) => `The user with name ${name} cannot be found.`, taken: (name: string) => `User with name ${name} already exists.`, list: 'aws iam list-users' },
  group: { missing: (name: string) => `The group with name ${name} cannot be found.`, taken: (name: string) => `Group with name ${name} already exists.`, list: 'aws iam list-groups' },
  role: { missing: (name: string) => `The role with name ${name} cannot be found.`, taken: (name: string) => `Role with name ${name} already exists.`, list: 'aws iam list-roles' },
  instanceProfile: {
    missing: (name: string) => `Instance Profile ${name} cannot be found.`,
    taken: (name: string) => `Instance Profile ${name} already exists.`,
    list: 'aws iam list-instance-profiles',
  },
  policy: {
    missing: (arn: string) => `Policy ${arn} was not found.`,
    taken: (name: string) => `A policy called ${name} already exists. Duplicate names are not allowed.`,
    list: 'aws iam list-policies',
  },
} as const;

export function noSuchEntity(type: keyof typeof wording, name: string): Error {
  return withHelp(modelled(NoSuchEntityException, wording[type].missing(name)), { resource: name, hint: `List what exists: ${wording[type].list}` });
}

export const noSuchEntityMessage = (message: string) => modelled(NoSuchEntityException, message);

export function alreadyExists(type: keyof typeof wording, name: string): Error {
  return modelled(EntityAlreadyExistsException, wording[type].taken(name));
}

/** Attach and detach name a policy that does not exist (or cannot be attached) with these words. */
export const notAttachable = (arn: string) => modelled(NoSuchEntityException, `Policy ${arn} does not exist or is not attachable.`);
