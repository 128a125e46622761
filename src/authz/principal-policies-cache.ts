/**
 * What policy evaluation needs to know of a principal, read from the store once and kept: whether
 * its user or role still exists, its tags and unique id, and its identity-based policies and
 * permissions boundary compiled. Kept per entity (a user, or the role behind every session of it)
 * until an IAM record changes: the store's change feed reports every IAM write of every process
 * sharing the store, and any of them empties the cache (a policy, group or membership change can
 * touch many principals; IAM writes are rare next to API calls), so the next call reads afresh.
 */
import type { AttachedPolicy, CompiledPolicy } from '../iam/policy/index.js';
import { parseAndCompile } from '../iam/policy/index.js';
import { identityPoliciesOf, permissionsBoundaryOf, type SourcedPolicy } from '../iam/principal-policies.js';
import type { Subscription } from '../store/changes.js';
import type { Store } from '../store/types.js';

export interface EntityPolicies {
  /** False when the user or role was deleted (or never existed): such a principal is allowed nothing. */
  exists: boolean;
  /** The entity's ARN with its path: `arn:aws:iam::<account>:role/<path><name>`. */
  arn: string;
  name: string;
  /** AIDA…/AROA… */
  id: string;
  tags: Record<string, string>;
  identity: AttachedPolicy[];
  boundary?: AttachedPolicy;
}

function attached(policy: SourcedPolicy, holderArnPrefix: string): AttachedPolicy {
  const id = policy.source.kind === 'managed' ? policy.source.arn : policy.source.name;
  return { id, source: `${holderArnPrefix}${policy.holder.type}/${policy.holder.name}`, policy: compiled(policy.document, 'identity') };
}

/** Compiled documents by text: a managed policy attached to many principals is compiled once. */
const compiledByText = new Map<string, CompiledPolicy>();
const maxCompiled = 4096;

export function compiled(document: string, kind: 'identity' | 'resource'): CompiledPolicy {
  const key = `${kind}\n${document}`;
  let found = compiledByText.get(key);
  if (!found) {
    // Stored documents were checked when stored; ECR's resource policies follow ECR's looser rules.
    found = parseAndCompile(document, kind === 'resource' ? { kind, uniqueSids: false, checkResourceFormat: false } : { kind });
    if (compiledByText.size >= maxCompiled) compiledByText.clear();
    compiledByText.set(key, found);
  }
  return found;
}

export class PrincipalPoliciesCache {
  private readonly entries = new Map<string, Promise<EntityPolicies>>();
  private subscription: Subscription | undefined;
  /** Moves on every IAM change: a read begun before the change is not kept after it. */
  private generation = 0;

  constructor(private readonly store: Store) {}

  /** Starts following IAM changes; until then nothing is cached. */
  start(): void {
    this.subscription ??= this.store.changes.watch({ kinds: ['iamEntity'] }, () => {
      this.generation++;
      this.entries.clear();
    });
  }

  stop(): void {
    this.subscription?.close();
    this.subscription = undefined;
    this.entries.clear();
  }

  /** The user or role `entityArn` names (`…:user/…`, `…:role/…`), as evaluation needs it. */
  of(entityArn: string, kind: 'user' | 'role', accountId: string, name: string): Promise<EntityPolicies> {
    const cached = this.entries.get(entityArn);
    if (cached) return cached;
    const loading = this.load(entityArn, kind, accountId, name);
    if (this.subscription) {
      const generation = this.generation;
      const forget = () => {
        if (this.entries.get(entityArn) === loading) this.entries.delete(entityArn);
      };
      this.entries.set(entityArn, loading);
      // A failed read is not remembered, nor one that an IAM change overtook.
      loading.then(() => generation !== this.generation && forget(), forget);
    }
    return loading;
  }

  private load(entityArn: string, kind: 'user' | 'role', accountId: string, name: string): Promise<EntityPolicies> {
    return this.store.read(async (tx) => {
      const entity = await tx.iamEntities.get(accountId, kind, name);
      // A user's key names its user by its ARN: a user deleted and created again under the same name is another user.
      if (!entity || (kind === 'user' && entity.arn !== entityArn)) return { exists: false, arn: entityArn, name, id: '', tags: {}, identity: [] };
      const prefix = `arn:aws:iam::${accountId}:`;
      const identity = (await identityPoliciesOf(tx, entity.arn)).map((policy) => attached(policy, prefix));
      const boundary = await permissionsBoundaryOf(tx, entity.arn);
      return {
        exists: true,
        arn: entity.arn,
        name: entity.name,
        id: entity.id,
        tags: Object.fromEntries(entity.tags.map((tag) => [tag.Key, tag.Value])),
        identity,
        ...(boundary ? { boundary: { id: boundary.source.kind === 'managed' ? boundary.source.arn : boundary.source.name, policy: compiled(boundary.document, 'identity') } } : {}),
      };
    });
  }
}
