/**
 * Certificate Manager's errors in ACM's words. Modelled errors are the SDK's own classes, so they
 * travel under ACM's codes (ResourceNotFoundException, ValidationException, …).
 */
import {
  InvalidArnException,
  InvalidParameterException,
  InvalidTagException,
  ResourceInUseException,
  ResourceNotFoundException,
  TooManyTagsException,
  ValidationException,
} from '@aws-sdk/client-acm';
import { modelled, withHelp, type ErrorHelp } from '../core/errors.js';

export const certificateNotFound = (arn: string) =>
  withHelp(modelled(ResourceNotFoundException, `Could not find certificate with arn ${arn}.`), {
    resource: arn,
    hint: 'Certificates are per account and Region; list this Region\'s: aws acm list-certificates --includes keyTypes=RSA_2048,RSA_3072,RSA_4096,EC_prime256v1,EC_secp384r1,EC_secp521r1',
  });

export const invalidArn = (arn: string, field = 'CertificateArn') =>
  withHelp(modelled(InvalidArnException, `String '${arn}' is not a valid ARN`), { field, hint: 'A certificate ARN has the form arn:aws:acm:<region>:<account>:certificate/<uuid>.' });

export const certificateInUse = (arn: string, accountId: string, users: readonly string[]) =>
  withHelp(modelled(ResourceInUseException, `Certificate ${arn} in account ${accountId} is in use.`), {
    resource: arn,
    hint: `Remove it from the listeners that use it first (${users.join(', ')}): aws elbv2 modify-listener or aws elbv2 remove-listener-certificates.`,
  });

export function validation(message: string, help?: ErrorHelp): Error {
  const error = modelled(ValidationException, message);
  return help ? withHelp(error, help) : error;
}

/** A constraint of the service model that a member fails, in AWS's "1 validation error detected" form. */
export const constraintFailed = (field: string, value: unknown, constraint: string) =>
  validation(`1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at '${field}' failed to satisfy constraint: Member must ${constraint}`);

export const invalidParameter = (message: string, help?: ErrorHelp) => {
  const error = modelled(InvalidParameterException, message);
  return help ? withHelp(error, help) : error;
};
export const invalidTag = (message: string) => modelled(InvalidTagException, message);
export const tooManyTags = (message: string) => modelled(TooManyTagsException, message);
