/** HTTP byte ranges: Range on blob GETs, Content-Range on upload chunks. */
import { RegistryError } from '../errors.js';
import type { ByteRange } from '../storage/driver.js';

/** One range of a `Range: bytes=…` header within a blob of `size` bytes; undefined means the whole blob. */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  const unsatisfiable = () => new RegistryError('RANGE_INVALID', `the range '${header}' does not fit a blob of ${size} bytes; ask for one range within bytes 0-${size - 1}`, { size });
  if (!match || (match[1] === '' && match[2] === '')) throw unsatisfiable();
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    start = Math.max(size - suffix, 0);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size) throw unsatisfiable();
  return { start, end };
}

/** Where an upload chunk starts, from `Content-Range: <start>-<end>` (an optional `bytes ` prefix is accepted). */
export function parseContentRange(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:bytes )?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!match || Number(match[2]) < Number(match[1])) {
    throw new RegistryError('RANGE_INVALID', `Content-Range '${header}' is not '<start>-<end>'`);
  }
  return Number(match[1]);
}
