/** Content digests, `<algorithm>:<hex>`: the only algorithms the OCI spec requires registries to verify. */
import { createHash, type Hash } from 'node:crypto';

export type DigestAlgorithm = 'sha256' | 'sha512';

const hexLength: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
  /** The digest as written, `<algorithm>:<hex>`. */
  value: string;
}

/** Parses a digest; undefined when it is malformed or of an algorithm Berth cannot verify. */
export function parseDigest(text: string): ParsedDigest | undefined {
  const match = /^(sha256|sha512):([a-f0-9]+)$/.exec(text);
  if (!match) return undefined;
  const algorithm = match[1] as DigestAlgorithm;
  const hex = match[2] as string;
  return hex.length === hexLength[algorithm] ? { algorithm, hex, value: text } : undefined;
}

export function newHash(algorithm: DigestAlgorithm): Hash {
  return createHash(algorithm);
}

export function digestOf(content: Buffer | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(content).digest('hex')}`;
}
