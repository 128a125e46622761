/**
 * The REST-XML protocol (S3, Route 53, CloudFront): the operation is the method and path; errors are
 * XML. S3 sends a bare <Error> element; the others wrap it as <ErrorResponse><Error>…</Error></ErrorResponse>.
 */
import { toSerializedError } from '../../core/errors.js';
import type { ProtocolResponse } from './response.js';
import { escapeXml } from './xml.js';

export function restXmlError(error: unknown, requestId: string, style: 's3' | 'wrapped'): ProtocolResponse {
  const serialized = toSerializedError(error, 'InternalError');
  const code = `<Code>${escapeXml(serialized.code)}</Code><Message>${escapeXml(serialized.message)}</Message>`;
  const id = `<RequestId>${escapeXml(requestId)}</RequestId>`;
  const type = serialized.statusCode >= 500 ? 'Receiver' : 'Sender';
  return {
    statusCode: serialized.statusCode,
    contentType: 'application/xml',
    body:
      style === 's3'
        ? `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${code}${id}</Error>`
        : `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>${type}</Type>${code}</Error>${id}</ErrorResponse>`,
  };
}
