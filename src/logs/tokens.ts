/**
 * Paging tokens. GetLogEvents' tokens look like AWS's, `f/` or `b/` then 56 digits (here a
 * timestamp and a sequence number, zero-padded) and `/s`; FilterLogEvents' and the Describe
 * operations' tokens are opaque base64url.
 */
import type { LogPosition } from './storage/types.js';

// The position before every event has timestamp -1 (event timestamps are never negative): its digits are all zero.
const offset = 1;

export function streamToken(direction: 'f' | 'b', position: LogPosition): string {
  return `${direction}/${String(position.timestamp + offset).padStart(20, '0')}${String(position.seq).padStart(36, '0')}/s`;
}

export function parseStreamToken(token: string): { direction: 'f' | 'b'; position: LogPosition } | undefined {
  const match = /^([fb])\/(\d{20})(\d{36})\/s$/.exec(token);
  if (!match) return undefined;
  const timestamp = Number(match[2]) - offset;
  const seq = Number(match[3]);
  if (!Number.isSafeInteger(timestamp) || !Number.isSafeInteger(seq)) return undefined;
  return { direction: match[1] as 'f' | 'b', position: { timestamp, seq } };
}

export function opaqueToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function parseOpaqueToken(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A 56-digit id from a sequence number, the shape of AWS's event ids and sequence tokens. */
export const digits56 = (value: number) => String(value).padStart(56, '0');
