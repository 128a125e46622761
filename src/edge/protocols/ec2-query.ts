/**
 * The EC2 protocol: Query-style requests (`Action=…`), but errors in EC2's own envelope, which the
 * EC2 clients parse instead of Query's <ErrorResponse>:
 *
 *   <Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors><RequestID>…</RequestID></Response>
 */
import { toSerializedError } from '../../core/errors.js';
import { queryCode } from './aws-query.js';
import type { ProtocolResponse } from './response.js';
import { escapeXml } from './xml.js';

export function ec2Error(error: unknown, requestId: string): ProtocolResponse {
  const serialized = toSerializedError(error, 'InternalError');
  return {
    statusCode: serialized.statusCode,
    contentType: 'text/xml',
    body:
      '<Response><Errors><Error>' +
      `<Code>${escapeXml(queryCode(serialized.code))}</Code><Message>${escapeXml(serialized.message)}</Message>` +
      `</Error></Errors><RequestID>${escapeXml(requestId)}</RequestID></Response>`,
  };
}
