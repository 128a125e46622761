/**
 * The AWS Systems Manager Parameter Store API (JSON 1.1, target prefix AmazonSSM), for the
 * operations Berth serves; the rest of Systems Manager answers UnknownOperationException.
 */
import * as ssmModel from '@aws-sdk/client-ssm';
import { defineJsonService, type JsonHandler, type JsonService } from '../edge/protocols/aws-json.js';
import type { SsmDeps } from './deps.js';
import { labelOperations } from './labels.js';
import { parameterOperations } from './parameters.js';
import { putParameterOperation } from './put-parameter.js';
import { queryOperations } from './queries.js';
import { taggingOperations } from './tagging.js';

export const ssmTargetPrefix = 'AmazonSSM';

export function ssmService(deps: SsmDeps): JsonService {
  const operations: Record<string, JsonHandler> = {
    ...putParameterOperation(deps),
    ...parameterOperations(deps),
    ...queryOperations(deps),
    ...labelOperations(deps),
    ...taggingOperations(deps),
  };
  return defineJsonService(ssmModel as Record<string, unknown>, { id: 'ssm', signingName: 'ssm', targetPrefix: ssmTargetPrefix, jsonVersion: '1.1' }, operations);
}
