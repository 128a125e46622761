/**
 * Request bodies sent compressed. The AWS SDKs gzip the bodies of operations with the
 * requestCompression trait once they pass 10 KiB (CloudWatch's PutMetricData), with
 * `Content-Encoding: gzip`; the signature covers the compressed bytes, so a body is decompressed
 * after it is authenticated, just before its protocol reads it.
 */
import { gunzipSync } from 'node:zlib';
import { ApiError } from '../core/errors.js';

/** What one request may decompress to: a bound against small bodies that inflate without end. */
export const maxDecodedBytes = 16 * 1024 * 1024;

export function decodedBody(body: Buffer, contentEncoding: string | string[] | undefined): Buffer {
  const codings = (Array.isArray(contentEncoding) ? contentEncoding.join(',') : (contentEncoding ?? ''))
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity' && coding !== 'aws-chunked');
  if (codings.length === 0 || body.length === 0) return body;
  if (codings.length > 1 || codings[0] !== 'gzip') {
    throw new ApiError('SerializationException', `Content-Encoding ${codings.join(', ')} is not supported: send the body as is or gzip-compressed.`, 415);
  }
  try {
    return gunzipSync(body, { maxOutputLength: maxDecodedBytes });
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ApiError('RequestEntityTooLargeException', `The request body decompresses to more than ${maxDecodedBytes} bytes.`, 413, { cause });
    }
    throw new ApiError('SerializationException', `The request body is not valid gzip: ${(cause as Error).message}`, 400, { cause });
  }
}
