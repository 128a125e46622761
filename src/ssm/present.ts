/** Parameters as the API answers them (JSON: times in epoch seconds). */
import type { Parameter, ParameterHistory, ParameterMetadata } from '@aws-sdk/client-ssm';
import type { Scope } from '../core/principal.js';
import type { Wire } from '../core/wire.js';
import type { SsmParameter, SsmParameterVersion } from '../store/types.js';
import type { Found } from './lookup.js';
import { shownValue } from './lookup.js';
import { parameterArn } from './names.js';

const scopeOf = (parameter: SsmParameter): Scope => ({ accountId: parameter.accountId, region: parameter.region });

export function presentParameter({ parameter, version, selector }: Found, withDecryption: boolean): Wire<Parameter> {
  return {
    Name: parameter.name,
    Type: version.type,
    Value: shownValue(version, withDecryption),
    Version: version.version,
    ...(selector ? { Selector: selector } : {}),
    LastModifiedDate: version.lastModifiedDate,
    ARN: parameterArn(scopeOf(parameter), parameter.name),
    DataType: version.dataType,
  };
}

export function presentMetadata(parameter: SsmParameter): Wire<ParameterMetadata> {
  return {
    Name: parameter.name,
    ARN: parameterArn(scopeOf(parameter), parameter.name),
    Type: parameter.type,
    ...(parameter.keyId ? { KeyId: parameter.keyId } : {}),
    LastModifiedDate: parameter.lastModifiedDate,
    LastModifiedUser: parameter.lastModifiedUser,
    ...(parameter.description ? { Description: parameter.description } : {}),
    ...(parameter.allowedPattern ? { AllowedPattern: parameter.allowedPattern } : {}),
    Version: parameter.version,
    Tier: parameter.tier,
    Policies: [],
    DataType: parameter.dataType,
  };
}

export function presentHistory(parameter: SsmParameter, version: SsmParameterVersion, withDecryption: boolean): Wire<ParameterHistory> {
  return {
    Name: parameter.name,
    Type: version.type,
    ...(version.keyId ? { KeyId: version.keyId } : {}),
    LastModifiedDate: version.lastModifiedDate,
    LastModifiedUser: version.lastModifiedUser,
    ...(version.description ? { Description: version.description } : {}),
    Value: shownValue(version, withDecryption),
    ...(version.allowedPattern ? { AllowedPattern: version.allowedPattern } : {}),
    Version: version.version,
    Labels: version.labels,
    Tier: version.tier,
    Policies: [],
    DataType: version.dataType,
  };
}
