/**
 * Secrets Manager's errors, worded as Secrets Manager words them. Modelled errors are the SDK's own
 * classes; ValidationException, which the service model does not declare, names the member at fault
 * in AWS's "1 validation error detected" form.
 */
import {
  InvalidNextTokenException,
  InvalidParameterException,
  InvalidRequestException,
  ResourceExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import { ApiError, modelled, withHelp } from '../core/errors.js';
import { nameInSecretId } from './names.js';

/** ResourceNotFoundException in Secrets Manager's words, with Berth's help: the SecretId as given, and how to make it. */
export const secretNotFound = (secretId: string) =>
  withHelp(modelled(ResourceNotFoundException, "Secrets Manager can't find the specified secret."), {
    resource: secretId,
    hint:
      `Create it: aws secretsmanager create-secret --name ${nameInSecretId(secretId)} --secret-string <value>. ` +
      `Secrets are per account and Region; list this Region's: aws secretsmanager list-secrets`,
  });
export const versionNotFound = (kind: 'VersionId' | 'staging label', value: string) =>
  modelled(ResourceNotFoundException, `Secrets Manager can't find the specified secret value for ${kind}: ${value}`);
export const markedForDeletion = () =>
  modelled(InvalidRequestException, "You can't perform this operation on the secret because it was marked for deletion.");
export const invalidParameter = (message: string) => modelled(InvalidParameterException, message);
export const invalidRequest = (message: string) => modelled(InvalidRequestException, message);
export const resourceExists = (message: string) => modelled(ResourceExistsException, message);
export const invalidNextToken = () => modelled(InvalidNextTokenException, 'The NextToken value is not valid: pass the NextToken of a previous response unchanged.');

export const validation = (message: string) => new ApiError('ValidationException', message);

/**
 * A constraint of the service model that a member fails. `field` is the member's path in AWS's form
 * ("secretId", "tags.1.member.key"); the value is left out for secret values and lists.
 */
export function constraintFailed(field: string, value: unknown, constraint: string, omitValue = false): ApiError {
  const shown = value === undefined ? 'null' : omitValue ? '' : `'${String(value)}'`;
  const subject = shown ? `Value ${shown} at '${field}'` : `Value at '${field}'`;
  return validation(`1 validation error detected: ${subject} failed to satisfy constraint: Member must ${constraint}`);
}

export const invalidName = () =>
  validation('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
