/**
 * `berth accounts create` and `berth accounts list`: the installation's accounts, through Berth's
 * own API (CreateAccount, ListAccounts), signed with the installation account's root credentials.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { defaults } from '../config.js';
import { cliCredentials, endpointOf, withClientOptions, type ClientFlags } from './client-options.js';
import { exportLine } from './credentials-command.js';
import { signedFetch } from './signed-fetch.js';
import { table } from './table.js';

interface ErrorAnswer {
  __type?: string;
  message?: string;
  berthHelp?: { hint?: string };
}

async function call<T>(flags: ClientFlags, operation: string, input: Record<string, unknown>): Promise<T> {
  const credentials = await cliCredentials(flags.dataDir, flags.accountId, flags.keyFile);
  const response = await signedFetch(endpointOf(flags), '/', {
    credentials,
    region: flags.region,
    service: 'berth',
    body: JSON.stringify(input),
    headers: { 'x-amz-target': `Berth_20261101.${operation}` },
  });
  const answer = (await response.json()) as T & ErrorAnswer;
  if (!response.ok) {
    const hint = answer.berthHelp?.hint ? `\n  ${answer.berthHelp.hint}` : '';
    process.stderr.write(`berth: ${answer.__type ?? response.status}: ${answer.message ?? ''}${hint}\n`);
    process.exit(1);
  }
  return answer;
}

function accountId(value: string): string {
  if (!/^\d{12}$/.test(value)) throw new InvalidArgumentError('an account id is 12 digits.');
  return value;
}

/**
 * `create` has the other commands' client options except --account-id, which names the new
 * account here: the request is signed with the installation account's root credentials
 * (BERTH_ACCOUNT_ID, as the server reads it).
 */
function createCommand(): Command {
  const command = new Command('create')
    .description("create another account with root credentials of its own, and print its id and an export line for them (only the installation account's root may)")
    .addOption(new Option('--account-id <id>', 'the new account id, 12 digits (default: one Berth picks)').argParser(accountId))
    .option('--json', 'print the answer as JSON');
  const clientOptions = withClientOptions(new Command('client')).options.filter((option) => option.long !== '--account-id');
  for (const option of clientOptions) command.addOption(option);
  return command.action(async (flags: Omit<ClientFlags, 'accountId'> & { accountId?: string; json?: boolean }) => {
    const signer: ClientFlags = { ...flags, accountId: process.env.BERTH_ACCOUNT_ID ?? defaults.accountId };
    const created = await call<{ accountId: string; rootArn: string; accessKeyId: string; secretAccessKey: string }>(
      signer,
      'CreateAccount',
      flags.accountId !== undefined ? { accountId: flags.accountId } : {},
    );
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      return;
    }
    process.stdout.write(`account ${created.accountId} created; its root credentials:\n${exportLine(created, flags.region, endpointOf(flags))}\n`);
  });
}

function listCommand(): Command {
  const command = new Command('list').description('list the accounts of this Berth').option('--json', 'print the answer as JSON');
  return withClientOptions(command).action(async (flags: ClientFlags & { json?: boolean }) => {
    const { accounts } = await call<{ accounts: { accountId: string; rootArn: string; createdAt: number }[] }>(flags, 'ListAccounts', {});
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(accounts, null, 2)}\n`);
      return;
    }
    const rows = accounts.map((account) => [account.accountId, account.rootArn, new Date(account.createdAt * 1000).toISOString()]);
    process.stdout.write(`${table(['ACCOUNT', 'ROOT', 'CREATED'], rows).join('\n')}\n`);
  });
}

export function accountsCommand(): Command {
  return new Command('accounts').description('manage the accounts of this Berth: each has its own root credentials and resources').addCommand(createCommand()).addCommand(listCommand());
}
