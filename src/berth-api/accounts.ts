/**
 * Several accounts in one Berth: CreateAccount makes another account with root credentials of its
 * own, ListAccounts names every account. Only the root user of the installation's own account (the
 * one `berth up` prints credentials for) may call them. Every resource is scoped by account id
 * already, so a new account starts empty and sees nothing of the others; between accounts, access
 * works only as AWS allows it (role trust policies, repository and secret policies).
 */
import { randomInt } from 'node:crypto';
import { ApiError, withHelp } from '../core/errors.js';
import { newAccessKeyId, newSecretAccessKey } from '../core/ids.js';
import { rootPrincipalArn } from '../core/principal.js';
import type { RequestContext } from '../core/request-context.js';
import type { Store } from '../store/types.js';

export interface AccountsDeps {
  store: Store;
  /** The installation's own account: its root alone manages accounts. */
  installationAccountId: string;
}

export interface CreateAccountInput {
  accountId?: string;
}

export interface CreatedAccount {
  accountId: string;
  rootArn: string;
  accessKeyId: string;
  secretAccessKey: string;
}

function checkInstallationRoot(deps: AccountsDeps, ctx: RequestContext, operation: string): void {
  if (ctx.principal.isRoot && ctx.principal.accountId === deps.installationAccountId) return;
  throw withHelp(new ApiError('AccessDeniedException', `User: ${ctx.principal.arn} is not authorized to perform: berth:${operation} on resource: *`, 403), {
    hint: `Only the root credentials of the installation's account ${deps.installationAccountId} manage accounts (berth credentials prints them).`,
  });
}

/** A 12-digit id no account has, never the all-zero id of a default installation. */
function randomAccountId(): string {
  return String(randomInt(100_000_000_000, 1_000_000_000_000)).padStart(12, '0');
}

export async function createAccount(deps: AccountsDeps, input: CreateAccountInput, ctx: RequestContext): Promise<CreatedAccount> {
  if (input.accountId !== undefined && !/^\d{12}$/.test(input.accountId)) {
    throw withHelp(new ApiError('ValidationException', `1 validation error detected: Value '${input.accountId}' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}`), {
      field: 'accountId',
      hint: 'An account id is 12 digits; leave it out and Berth picks one.',
    });
  }
  checkInstallationRoot(deps, ctx, 'CreateAccount');
  return deps.store.write(async (tx) => {
    let accountId = input.accountId;
    if (accountId === undefined) {
      do accountId = randomAccountId();
      while (await tx.credentials.findRoot(accountId));
    } else if (await tx.credentials.findRoot(accountId)) {
      throw withHelp(new ApiError('ResourceAlreadyExistsException', `Account ${accountId} already exists.`, 409), {
        resource: accountId,
        hint: 'List the accounts: berth accounts list.',
      });
    }
    const record = {
      accessKeyId: newAccessKeyId(),
      secretAccessKey: newSecretAccessKey(),
      accountId,
      principalArn: rootPrincipalArn(accountId),
      isRoot: true,
      createdAt: Math.floor(ctx.now.getTime() / 1000),
    };
    await tx.credentials.put(record);
    return { accountId, rootArn: record.principalArn, accessKeyId: record.accessKeyId, secretAccessKey: record.secretAccessKey };
  });
}

export async function listAccounts(deps: AccountsDeps, ctx: RequestContext): Promise<{ accounts: { accountId: string; rootArn: string; createdAt: number }[] }> {
  checkInstallationRoot(deps, ctx, 'ListAccounts');
  const roots = await deps.store.read((tx) => tx.credentials.roots());
  return {
    accounts: roots
      .map((root) => ({ accountId: root.accountId, rootArn: root.principalArn, createdAt: root.createdAt }))
      .sort((a, b) => a.accountId.localeCompare(b.accountId)),
  };
}
