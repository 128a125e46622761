/**
 * Sealing: values the store must be able to read back, but that a stolen copy of the database
 * must not give away (Secrets Manager values, credentials' secret keys, the registry's token
 * signing key), are kept encrypted with AES-256-GCM under a key that lives outside the database.
 *
 * A sealed value is `sealed:v1:` + base64(nonce ‖ ciphertext ‖ tag): a fresh random 12-byte nonce
 * per value, and associated data naming what the value belongs to (a secret's ARN and version, a
 * credential's access key id), so a sealed value copied onto another row does not open there.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const prefix = 'sealed:v1:';
const nonceBytes = 12;
const tagBytes = 16;
export const sealingKeyBytes = 32;

export class SealedValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedValueError';
  }
}

export class Sealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== sealingKeyBytes) throw new SealedValueError(`a sealing key is ${sealingKeyBytes} bytes, got ${key.length}`);
  }

  static isSealed(text: string): boolean {
    return text.startsWith(prefix);
  }

  seal(plain: string, associatedData: string): string {
    const nonce = randomBytes(nonceBytes);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return prefix + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
  }

  /** The plain text of a sealed value; throws SealedValueError when the key or associated data do not match. */
  open(sealed: string, associatedData: string): string {
    if (!Sealer.isSealed(sealed)) throw new SealedValueError('the value is not sealed');
    const raw = Buffer.from(sealed.slice(prefix.length), 'base64');
    if (raw.length < nonceBytes + tagBytes) throw new SealedValueError('the sealed value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, nonceBytes));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - tagBytes));
    try {
      return Buffer.concat([decipher.update(raw.subarray(nonceBytes, raw.length - tagBytes)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedValueError('the sealed value does not open with this key');
    }
  }
}

/** What each kind of sealed value is bound to. */
export const sealedFor = {
  secretValue: (secretArn: string, versionId: string) => `secret-value\n${secretArn}\n${versionId}`,
  credential: (accessKeyId: string) => `credential\n${accessKeyId}`,
  registrySetting: (key: string) => `registry-setting\n${key}`,
  ssmParameterVersion: (accountId: string, region: string, name: string, version: number) => `ssm-parameter-version\n${accountId}\n${region}\n${name}\n${version}`,
  certificateKey: (certificateArn: string) => `certificate-key\n${certificateArn}`,
};
