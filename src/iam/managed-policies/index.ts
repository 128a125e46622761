/**
 * The AWS managed policies Berth knows, under arn:aws:iam::aws:policy/…: one JSON data file per
 * policy beside this module (name, path, description, default version id, document), as AWS's
 * managed policy reference gives them. They belong to no account: every account reads them and
 * may attach them, except the service-linked roles' policies, which only those roles carry.
 *
 * The files stay in the source tree (the compiler does not copy JSON), so the catalogue is read
 * from there whether this module runs from src/ or from dist/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AwsManagedPolicy {
  name: string;
  path: string;
  arn: string;
  /** ANPA… derived from the name, so it is stable across restarts and installations. */
  id: string;
  description: string;
  defaultVersionId: string;
  /** The document as JSON text, formatted as AWS answers it. */
  document: string;
  /** Service-linked roles' policies cannot be attached to users, groups or ordinary roles. */
  attachable: boolean;
  /** Epoch seconds; AWS's dates are not part of the data, so every policy carries the same one. */
  createdAt: number;
}

interface PolicyFile {
  name: string;
  path: string;
  description: string;
  defaultVersionId: string;
  document: unknown;
}

/** The date Berth gives every AWS managed policy (AdministratorAccess's creation, 2015-02-06). */
const catalogueDate = Date.UTC(2015, 1, 6, 18, 39, 46) / 1000;

function catalogueDirectory(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  if (readdirSync(here).some((file) => file.endsWith('.json'))) return here;
  // Compiled: dist/src/iam/managed-policies → src/iam/managed-policies.
  const source = resolve(here, '../../../../src/iam/managed-policies');
  if (!existsSync(source)) throw new Error(`the AWS managed policies are not at ${source}`);
  return source;
}

/** A stable ANPA id from the policy's name: 17 base32 characters of a simple hash. */
function stableId(name: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let hash = 2166136261;
  let id = 'ANPA';
  for (let index = 0; index < 17; index += 1) {
    for (const char of `${name}#${index}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
    id += alphabet[hash % 32];
  }
  return id;
}

function load(): Map<string, AwsManagedPolicy> {
  const directory = catalogueDirectory();
  const byArn = new Map<string, AwsManagedPolicy>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.json')).sort()) {
    const data = JSON.parse(readFileSync(join(directory, file), 'utf8')) as PolicyFile;
    const arn = `arn:aws:iam::aws:policy${data.path}${data.name}`;
    byArn.set(arn, {
      name: data.name,
      path: data.path,
      arn,
      id: stableId(data.name),
      description: data.description,
      defaultVersionId: data.defaultVersionId,
      document: JSON.stringify(data.document, null, 2),
      attachable: data.path !== '/aws-service-role/',
      createdAt: catalogueDate,
    });
  }
  return byArn;
}

let catalogue: Map<string, AwsManagedPolicy> | undefined;

/** Every AWS managed policy, by ARN (read once). */
export function awsManagedPolicies(): ReadonlyMap<string, AwsManagedPolicy> {
  catalogue ??= load();
  return catalogue;
}
