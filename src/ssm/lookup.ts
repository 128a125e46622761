/**
 * Reading a parameter as GetParameter(s) name it: by name or ARN, the latest version or the one a
 * `:version` or `:label` selector picks; and the value as answered, a SecureString's only with
 * decryption (without it, ciphertext that nothing outside this process can open, standing in for
 * KMS's).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import type { Scope } from '../core/principal.js';
import type { SsmParameter, SsmParameterVersion, StoreTx } from '../store/types.js';
import { labelNotFound, parameterNotFound, versionNotFound } from './errors.js';
import { namesOf, splitSelector, type Selector } from './names.js';

export interface Found {
  parameter: SsmParameter;
  version: SsmParameterVersion;
  /** The selector as given (`:3`, `:prod`), for the answer's Selector. */
  selector?: string;
}

/** The parameter a name or ARN names in this scope, or undefined. */
export async function findParameter(tx: StoreTx, scope: Scope, reference: string): Promise<SsmParameter | undefined> {
  for (const name of namesOf(reference, scope) ?? []) {
    const parameter = await tx.ssmParameters.get(scope.accountId, scope.region, name);
    if (parameter) return parameter;
  }
  return undefined;
}

export async function existingParameter(tx: StoreTx, scope: Scope, reference: string): Promise<SsmParameter> {
  const parameter = await findParameter(tx, scope, reference);
  if (!parameter) throw parameterNotFound(reference);
  return parameter;
}

async function versionBy(tx: StoreTx, parameter: SsmParameter, selector: Selector | undefined): Promise<SsmParameterVersion> {
  const { accountId, region, name } = parameter;
  if (selector === undefined || selector.kind === 'version') {
    const wanted = selector?.version ?? parameter.version;
    const version = await tx.ssmParameters.getVersion(accountId, region, name, wanted);
    if (!version) throw versionNotFound(name, wanted);
    return version;
  }
  const labelled = (await tx.ssmParameters.listVersions(accountId, region, name)).find((version) => version.labels.includes(selector.label));
  if (!labelled) throw labelNotFound(name, selector.label);
  return labelled;
}

/** The version a reference with its optional selector names; ParameterNotFound / ParameterVersionNotFound otherwise. */
export async function selectedVersion(tx: StoreTx, scope: Scope, reference: string): Promise<Found> {
  const { reference: base, selector, text } = splitSelector(reference);
  const parameter = await existingParameter(tx, scope, base);
  const version = await versionBy(tx, parameter, selector);
  return { parameter, version, ...(text ? { selector: text } : {}) };
}

/** A process key: the ciphertext shown for a SecureString read without decryption opens nowhere. */
const displayKey = randomBytes(32);

export function shownValue(version: Pick<SsmParameterVersion, 'type' | 'value'>, withDecryption: boolean): string {
  if (version.type !== 'SecureString' || withDecryption) return version.value;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', displayKey, iv);
  const sealed = Buffer.concat([cipher.update(version.value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64');
}
