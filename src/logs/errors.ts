/**
 * CloudWatch Logs' errors, in its words where known. Constraint failures are
 * InvalidParameterException with the "1 validation error detected" wording CloudWatch Logs uses.
 */
import {
  InvalidParameterException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  LimitExceededException,
  TooManyTagsException,
} from '@aws-sdk/client-cloudwatch-logs';
import { modelled, withHelp } from '../core/errors.js';

export const invalidParameter = (message: string, field?: string) => {
  const error = modelled(InvalidParameterException, message);
  return field ? withHelp(error, { field }) : error;
};

/**
 * "1 validation error detected: Value at 'logGroupName' failed to satisfy constraint: Member must …":
 * CloudWatch Logs, unlike most services, does not quote the value it refuses (nor says null); the
 * value given travels in berthHelp.
 */
export function constraintFailed(field: string, value: unknown, constraint: string): Error {
  const error = modelled(InvalidParameterException, `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must ${constraint}`);
  return withHelp(error, { field, hint: value === undefined ? `${field} is missing.` : `Given: ${String(value)}` });
}

export const groupNotFound = (name: string) =>
  withHelp(modelled(ResourceNotFoundException, 'The specified log group does not exist.'), {
    resource: name,
    hint: `Create it: aws logs create-log-group --log-group-name ${name}`,
  });

export const streamNotFound = (group: string, stream: string) =>
  withHelp(modelled(ResourceNotFoundException, 'The specified log stream does not exist.'), {
    resource: `${group}:${stream}`,
    hint: `Create it: aws logs create-log-stream --log-group-name ${group} --log-stream-name ${stream}`,
  });

export const groupExists = (name: string) => withHelp(modelled(ResourceAlreadyExistsException, 'The specified log group already exists'), { resource: name });
export const streamExists = (group: string, stream: string) =>
  withHelp(modelled(ResourceAlreadyExistsException, 'The specified log stream already exists'), { resource: `${group}:${stream}` });

export const invalidNextToken = (field = 'nextToken') => invalidParameter('The specified nextToken is invalid.', field);

export const tooManyTags = (resource: string) =>
  withHelp(modelled(TooManyTagsException, 'A resource can have no more than 50 tags.', { resourceName: resource }), { resource });

export const storageFull = (detail: string) =>
  // A client error, not ServiceUnavailable: retrying does not free disk space, and Berth never answers a 5xx for a known condition.
  withHelp(modelled(LimitExceededException, 'Resource limit exceeded.'), {
    hint: `Berth's log storage refuses new events: ${detail}. Free disk space or raise --log-storage-max-size, shorten retention (aws logs put-retention-policy) or delete log groups.`,
  });
