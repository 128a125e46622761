/**
 * Registry tokens, as ECR's GetAuthorizationToken issues them: a password, valid for 12 hours, that
 * docker presents as HTTP Basic auth with the user name `AWS`. The password carries the account,
 * region and principal it was issued to, signed with a key only this installation holds, so any
 * Berth process sharing the store can check it without a lookup per request. The credentials it was
 * issued from must still exist: deleting them revokes their tokens. Tokens the control plane issues
 * for a task's own pulls come from no access key; they live only an hour.
 *
 * The same key signs the short-lived layer download URLs of GetDownloadUrlForLayer.
 *
 * Each account has a generation, starting at 0, that a reset of the account raises: tokens and
 * download URLs carry the generation they were issued in and stop working once it has moved on, so
 * an account's reset revokes its tokens without touching other accounts'. (A reset of the whole
 * installation replaces the key instead.)
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Arn } from '../core/arn.js';
import type { SessionInfo } from '../core/principal.js';
import type { Store, RegistryTables } from '../store/types.js';

export const tokenLifetimeSeconds = 12 * 60 * 60;
const signingKeySetting = 'token-signing-key';
const generationSetting = (accountId: string) => `account-generation:${accountId}`;
/** How long a checked token is trusted before its credentials are looked up again. */
const verifiedCacheMs = 60_000;
const verifiedCacheLimit = 10_000;

export interface RegistryIdentity {
  accountId: string;
  region: string;
  principalArn: string;
  /** The access key whose holder asked for the token; absent on tokens issued for a task's pulls. */
  accessKeyId?: string;
  /** Known once verified: whether the holder is the account's root, its unique id and its session (temporary credentials). */
  isRoot?: boolean;
  uniqueId?: string;
  session?: SessionInfo;
}

interface TokenClaims {
  a: string;
  r: string;
  p: string;
  k?: string;
  /** The account's generation when issued; absent for 0. */
  g?: number;
  /** Expiry, epoch seconds. */
  e: number;
}

export class RegistryTokens {
  private key: Buffer | undefined;
  private readonly verified = new Map<string, { identity: RegistryIdentity; expiresAt: number; checkedAt: number }>();

  constructor(private readonly store: Store) {}

  private async signingKey(): Promise<Buffer> {
    if (this.key) return this.key;
    const stored = await this.store.write(async (tx) => {
      const existing = await tx.registry.getSetting(signingKeySetting);
      if (existing) return existing;
      const created = randomBytes(32).toString('base64');
      await tx.registry.putSetting(signingKeySetting, created);
      return created;
    });
    this.key = Buffer.from(stored, 'base64');
    return this.key;
  }

  private async sign(text: string): Promise<string> {
    return createHmac('sha256', await this.signingKey()).update(text).digest('base64url');
  }

  private async signatureMatches(text: string, signature: string): Promise<boolean> {
    const expected = Buffer.from(await this.sign(text), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private static async generationIn(tx: RegistryTables, accountId: string): Promise<number> {
    return Number((await tx.registry.getSetting(generationSetting(accountId))) ?? '0');
  }

  private generation(accountId: string): Promise<number> {
    return this.store.read((tx) => RegistryTokens.generationIn(tx, accountId));
  }

  /** Revokes every token and download URL issued to `accountId` so far (its resources were reset). */
  async revokeAccount(accountId: string): Promise<void> {
    await this.store.write(async (tx) => {
      await tx.registry.putSetting(generationSetting(accountId), String((await RegistryTokens.generationIn(tx, accountId)) + 1));
    });
    for (const [password, entry] of this.verified) if (entry.identity.accountId === accountId) this.verified.delete(password);
  }

  /**
   * Forgets the checked tokens issued for an access key, so the next use looks the key up again:
   * a key deleted or made Inactive stops working for the registry at once, not a cache period later.
   */
  forgetKey(accessKeyId: string): void {
    for (const [password, entry] of this.verified) if (entry.identity.accessKeyId === accessKeyId) this.verified.delete(password);
  }

  /** Forgets every checked token (each is looked up again at its next use). */
  forgetChecked(): void {
    this.verified.clear();
  }

  /** Forgets the signing key and every checked token: after a reset the store holds a new key. */
  forget(): void {
    this.key = undefined;
    this.verified.clear();
  }

  /** A password for `identity` and when it expires (epoch seconds). */
  async issue(identity: RegistryIdentity, nowSeconds: number, lifetimeSeconds = tokenLifetimeSeconds): Promise<{ password: string; expiresAt: number }> {
    const expiresAt = Math.floor(nowSeconds) + lifetimeSeconds;
    const generation = await this.generation(identity.accountId);
    const claims: TokenClaims = {
      a: identity.accountId,
      r: identity.region,
      p: identity.principalArn,
      ...(identity.accessKeyId ? { k: identity.accessKeyId } : {}),
      ...(generation > 0 ? { g: generation } : {}),
      e: expiresAt,
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { password: `${payload}.${await this.sign(payload)}`, expiresAt };
  }

  /** The identity a password was issued to, when it is genuine, unexpired and its credentials still exist. */
  async verify(password: string, nowSeconds: number): Promise<RegistryIdentity | undefined> {
    const cached = this.verified.get(password);
    if (cached && cached.expiresAt > nowSeconds && Date.now() - cached.checkedAt < verifiedCacheMs) return cached.identity;
    this.verified.delete(password);

    const [payload, signature, extra] = password.split('.');
    if (!payload || !signature || extra !== undefined || !(await this.signatureMatches(payload, signature))) return undefined;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return undefined;
    }
    if (typeof claims.e !== 'number' || claims.e <= nowSeconds) return undefined;
    if ((claims.g ?? 0) !== (await this.generation(claims.a))) return undefined;
    let holder: Pick<RegistryIdentity, 'isRoot' | 'uniqueId' | 'session'> = { isRoot: claims.p === `arn:aws:iam::${claims.a}:root` };
    if (claims.k !== undefined) {
      const accessKeyId = claims.k;
      const credential = await this.store.read((tx) => tx.credentials.get(accessKeyId));
      if (!credential || credential.status === 'Inactive' || credential.accountId !== claims.a) return undefined;
      holder = {
        isRoot: credential.isRoot,
        ...(credential.principalId !== undefined ? { uniqueId: credential.principalId } : {}),
        ...(credential.session !== undefined ? { session: credential.session } : {}),
      };
    }
    const identity: RegistryIdentity = { accountId: claims.a, region: claims.r, principalArn: claims.p, ...(claims.k ? { accessKeyId: claims.k } : {}), ...holder };
    if (this.verified.size >= verifiedCacheLimit) this.verified.clear();
    this.verified.set(password, { identity, expiresAt: claims.e, checkedAt: Date.now() });
    return identity;
  }

  /** A signature for a layer download URL of `repositoryArn` and `digest` until `expiresAt` (epoch seconds). */
  async signDownload(repositoryArn: string, digest: string, expiresAt: number): Promise<string> {
    return this.sign(await this.downloadText(repositoryArn, digest, expiresAt));
  }

  async downloadSignatureMatches(repositoryArn: string, digest: string, expiresAt: number, signature: string): Promise<boolean> {
    return this.signatureMatches(await this.downloadText(repositoryArn, digest, expiresAt), signature);
  }

  /** What a download URL's signature covers: the generation of the repository's account too. */
  private async downloadText(repositoryArn: string, digest: string, expiresAt: number): Promise<string> {
    const accountId = Arn.parse(repositoryArn)?.accountId ?? '';
    return `download\n${repositoryArn}\n${digest}\n${expiresAt}\n${await this.generation(accountId)}`;
  }
}
