/**
 * Parameter Store's errors, worded as Systems Manager words them where known. The modelled ones
 * are the SDK's classes; ValidationException (not in the model) carries the request checks.
 */
import {
  HierarchyLevelLimitExceededException,
  InvalidFilterKey,
  InvalidFilterOption,
  InvalidFilterValue,
  InvalidNextToken,
  InvalidResourceId,
  InvalidResourceType,
  ParameterAlreadyExists,
  ParameterMaxVersionLimitExceeded,
  ParameterNotFound,
  ParameterPatternMismatchException,
  ParameterVersionLabelLimitExceeded,
  ParameterVersionNotFound,
  TooManyTagsError,
  InvalidAllowedPatternException,
} from '@aws-sdk/client-ssm';
import { ApiError, modelled, withHelp } from '../core/errors.js';

export const validation = (message: string) => new ApiError('ValidationException', message);

/** "1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: Member must …" */
export function constraintFailed(field: string, value: unknown, constraint: string, omitValue = false): ApiError {
  const subject = value === undefined ? `Value null at '${field}'` : omitValue ? `Value at '${field}'` : `Value '${String(value)}' at '${field}'`;
  return validation(`1 validation error detected: ${subject} failed to satisfy constraint: Member must ${constraint}`);
}

/** Systems Manager answers an unknown parameter with an empty message; Berth says which and what to do in its help. */
export const parameterNotFound = (name: string) =>
  withHelp(modelled(ParameterNotFound, ''), {
    resource: name,
    hint: `No parameter ${name} in this account and Region. Create it: aws ssm put-parameter --name ${name} --type String --value <value>; list them: aws ssm describe-parameters`,
  });

export const versionNotFound = (name: string, version: number) =>
  modelled(ParameterVersionNotFound, `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`);

export const labelNotFound = (name: string, label: string) =>
  withHelp(modelled(ParameterVersionNotFound, `Systems Manager could not find label ${label} of ${name}. Verify the label and try again.`), {
    resource: `${name}:${label}`,
    hint: `See the labels of each version: aws ssm get-parameter-history --name ${name}`,
  });

export const alreadyExists = () => modelled(ParameterAlreadyExists, 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');

export const hierarchyTooDeep = () =>
  withHelp(modelled(HierarchyLevelLimitExceededException, 'A hierarchy can have a maximum of 15 levels.'), { field: 'Name' });

export const patternMismatch = (pattern: string) => modelled(ParameterPatternMismatchException, `Parameter value, cannot be validated against allowedPattern: ${pattern}`);
export const invalidPattern = (pattern: string) =>
  withHelp(modelled(InvalidAllowedPatternException, `The allowed pattern ${pattern} is not a valid regular expression.`), { field: 'AllowedPattern' });

export const oldestVersionLabelled = (name: string, version: number) =>
  modelled(
    ParameterMaxVersionLimitExceeded,
    `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
  );

export const tooManyLabels = () =>
  modelled(ParameterVersionLabelLimitExceeded, 'A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.');

export const invalidNextToken = () => modelled(InvalidNextToken, 'The token is not valid.');
export const invalidFilterKey = (message: string) => modelled(InvalidFilterKey, message);
export const invalidFilterOption = (message: string) => modelled(InvalidFilterOption, message);
export const invalidFilterValue = (message: string) => modelled(InvalidFilterValue, message);
export const invalidResourceType = () => modelled(InvalidResourceType, 'The resource type isn\'t valid. For example, if you are attempting to tag an EC2 instance, the instance must be a registered managed node.');
export const invalidResourceId = (id: string) => withHelp(modelled(InvalidResourceId, 'The resource ID isn\'t valid. Verify that you entered the correct ID and try again.'), { resource: id });
export const tooManyTags = () => modelled(TooManyTagsError, 'The Targets parameter includes too many tags. Remove one or more tags and try the command again.');
