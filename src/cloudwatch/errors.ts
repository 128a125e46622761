/**
 * CloudWatch's errors, worded as CloudWatch words them where known. The SDK's exception classes
 * travel under their Query codes (InvalidParameterValue, MissingParameter, …) in both protocols.
 */
import { InvalidNextToken, InvalidParameterCombinationException, InvalidParameterValueException, MissingRequiredParameterException } from '@aws-sdk/client-cloudwatch';
import { modelled, withHelp, type ErrorHelp } from '../core/errors.js';

export const invalidValue = (message: string, help?: ErrorHelp) => {
  const error = modelled(InvalidParameterValueException, message);
  return help ? withHelp(error, help) : error;
};

export const invalidCombination = (message: string, help?: ErrorHelp) => {
  const error = modelled(InvalidParameterCombinationException, message);
  return help ? withHelp(error, help) : error;
};

/** "The parameter MetricData.member.1.MetricName is required." */
export const missing = (parameter: string, help?: ErrorHelp) => {
  const error = modelled(MissingRequiredParameterException, `The parameter ${parameter} is required.`);
  return help ? withHelp(error, help) : error;
};

export const invalidNextToken = (token: string) =>
  withHelp(modelled(InvalidNextToken, 'The service returned an error with Error Code InvalidNextToken'), { field: 'NextToken', hint: `'${token}' is not a token Berth handed out for this request; start again without NextToken.` });

/** "The value x for parameter Y is invalid." */
export const badValue = (value: unknown, parameter: string, help?: ErrorHelp) => invalidValue(`The value ${String(value)} for parameter ${parameter} is invalid.`, { field: parameter, ...help });
