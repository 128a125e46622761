/** Marker/PageSize as ELBv2 pages: the marker is opaque to clients (the store's cursor, base64). */
import { validationError } from './errors.js';

export function markerOf(cursor: string | undefined): string | undefined {
  return cursor === undefined ? undefined : Buffer.from(cursor, 'utf8').toString('base64');
}

export function cursorOf(marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  const cursor = Buffer.from(marker, 'base64').toString('utf8');
  if (!/^\d+$/.test(cursor)) throw validationError('Invalid marker', { field: 'Marker' });
  return cursor;
}

/** A page of a list already in memory (lookups by name or ARN), with the marker as an offset. */
export function pageOfList<T>(items: readonly T[], marker: string | undefined, pageSize: number): { items: T[]; nextMarker?: string } {
  const start = Number(cursorOf(marker) ?? 0);
  const page = items.slice(start, start + pageSize);
  const next = start + pageSize < items.length ? markerOf(String(start + pageSize)) : undefined;
  return { items: page, ...(next ? { nextMarker: next } : {}) };
}
