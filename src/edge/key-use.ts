/**
 * When an access key was last used, for which service and in which region: what IAM's
 * GetAccessKeyLastUsed answers. Recorded as signature verification accepts a key, at most once an
 * hour per key (AWS itself reports last use only to within hours), so a busy key costs one store
 * write an hour, not one per request.
 */
import type { CredentialRecord } from '../store/contract/core.js';
import type { Store } from '../store/types.js';

/** How stale a key's recorded last use may get before a use records it again, in seconds. */
export const keyUseResolutionSeconds = 3600;

/** Whether a use at `nowSeconds` is worth recording over what the key's record holds. */
export function keyUseDue(lastUsed: CredentialRecord['lastUsed'], nowSeconds: number): boolean {
  return lastUsed === undefined || nowSeconds - lastUsed.at >= keyUseResolutionSeconds;
}

/** Records a use of the key, unless one recorded meanwhile (by this process or another) is recent enough. */
export async function recordKeyUse(store: Store, accessKeyId: string, service: string, region: string, now: Date): Promise<void> {
  const at = Math.floor(now.getTime() / 1000);
  await store.write(async (tx) => {
    const key = await tx.credentials.get(accessKeyId);
    if (!key || !keyUseDue(key.lastUsed, at)) return;
    await tx.credentials.put({ ...key, lastUsed: { at, service, region } });
  });
}
