import * as acmModel from '@aws-sdk/client-acm';
import { defineJsonService, type JsonHandler, type JsonService } from '../edge/protocols/aws-json.js';
import { certificateOperations } from './certificates.js';
import type { AcmDeps } from './deps.js';
import { taggingOperations } from './tagging.js';

export const acmTargetPrefix = 'CertificateManager';

/**
 * AWS Certificate Manager, for the certificates HTTPS and TLS listeners serve: imported ones only
 * (ImportCertificate and what reads, tags and deletes them). Berth issues no certificates.
 */
export function acmService(deps: AcmDeps): JsonService {
  const operations: Record<string, JsonHandler> = {
    ...certificateOperations(deps),
    ...taggingOperations(deps),
  };
  return defineJsonService(acmModel as Record<string, unknown>, { id: 'acm', signingName: 'acm', targetPrefix: acmTargetPrefix, jsonVersion: '1.1' }, operations);
}
