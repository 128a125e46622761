import { randomBytes, randomUUID } from 'node:crypto';

/** Identifier generation behind an interface so tests can make ids predictable. */
export interface IdGenerator {
  /** 32 lowercase hex characters, the form ECS uses for task and container instance ids. */
  hex32(): string;
  uuid(): string;
}

export const randomIds: IdGenerator = {
  hex32: () => randomBytes(16).toString('hex'),
  uuid: () => randomUUID(),
};

const accessKeyAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function newAccessKeyId(): string {
  const bytes = randomBytes(16);
  let id = 'AKIA';
  for (const byte of bytes) id += accessKeyAlphabet[byte % 32];
  return id;
}

export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
}
