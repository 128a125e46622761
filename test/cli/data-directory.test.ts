/**
 * The data directory keeps its secrets: it is private to its owner (0700, files 0600), Berth refuses
 * one that others can read, secret values, credentials and the registry's signing key are sealed
 * with a key kept outside it, and the root secret key is printed once, when it is created.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { startBerth, testCredentials } from '../helpers/berth.js';
import { startBerthProcess, type BerthProcess } from '../helpers/berth-process.js';
import { freePort } from '../helpers/ports.js';
import { startServer } from '../../src/server.js';

const run = promisify(execFile);
const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, AWS_ENDPOINT_URL: _endpoint, BERTH_ROOT_ACCESS_KEY_ID: _root, BERTH_ROOT_SECRET_ACCESS_KEY: _rootSecret, ...cleanEnv } =
  process.env;
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** Every byte SQLite keeps for the database: the file and its write-ahead log. */
function databaseBytes(dataDir: string): Buffer {
  return Buffer.concat(['berth.db', 'berth.db-wal'].map((name) => join(dataDir, name)).filter(existsSync).map((path) => readFileSync(path)));
}

describe('the data directory', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'berth-private-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  describe('berth server on a fresh data directory', () => {
    let dataDir: string;
    let keyFile: string;
    let server: BerthProcess | undefined;
    before(() => {
      dataDir = join(root, 'fresh', 'data');
      keyFile = join(root, 'config', 'berth', 'secrets.key');
    });
    after(async () => server?.stop());

    it('creates the directory 0700 and its files 0600, with the key apart, and prints the secret once', async () => {
      const env = { ...cleanEnv, BERTH_KEY_FILE: keyFile };
      server = await startBerthProcess(['server', '--port', String(await freePort()), '--data-dir', dataDir], env);
      const first = server.output();
      const exportLine = /^\s*(export AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+) .*)$/m.exec(first);
      assert.ok(exportLine, `the first start prints the export line:\n${first}`);
      const secret = exportLine[3]!;
      assert.match(first, /root credentials were created and saved in the data directory; the secret key is shown this once/);

      assert.equal(mode(dataDir), '700');
      for (const name of ['berth.db', 'berth.db-wal', 'berth.db-shm', 'berth.log']) assert.equal(mode(join(dataDir, name)), '600', `${name} is 0600`);
      assert.equal(mode(join(dataDir, 'run')), '700');
      for (const record of readdirSync(join(dataDir, 'run'))) assert.equal(mode(join(dataDir, 'run', record)), '600');
      assert.equal(mode(keyFile), '600');
      assert.equal(mode(join(root, 'config', 'berth')), '700');
      assert.ok(!databaseBytes(dataDir).includes(secret), 'the root secret key is not in the database in plain text');

      await server.stop();
      server = await startBerthProcess(['server', '--port', String(await freePort()), '--data-dir', dataDir], env);
      const second = server.output();
      assert.ok(!second.includes(secret), `a later start does not print the secret key:\n${second}`);
      assert.ok(second.trimEnd().endsWith(`eval "$(berth credentials --data-dir ${dataDir} --key-file ${keyFile})"`), `it says how to print it:\n${second}`);
      const { stdout } = await run(process.execPath, ['bin/berth.js', 'credentials', '--data-dir', dataDir], { env });
      assert.equal(stdout, `${exportLine[1]!.replace(/AWS_ENDPOINT_URL=\S+/, `AWS_ENDPOINT_URL=${server.url}`)}\n`);
    });

    it('refuses a data directory that others can read, saying how to fix it', async () => {
      await server?.stop();
      server = undefined;
      chmodSync(dataDir, 0o755);
      const started = run(process.execPath, ['bin/berth.js', 'server', '--port', String(await freePort()), '--data-dir', dataDir], {
        env: { ...cleanEnv, BERTH_KEY_FILE: keyFile },
      });
      await assert.rejects(started, (error: Error & { code: number; stderr: string }) => {
        assert.equal(error.code, 1);
        assert.match(error.stderr, /can be read or written by other users \(mode 0755\)/);
        assert.ok(error.stderr.includes(`chmod 700 ${dataDir}`), error.stderr);
        return true;
      });
      await assert.rejects(startServer({ host: '127.0.0.1', port: 0, dataDir, region: 'us-east-1', accountId: '000000000000', logLevel: 'silent', keyFile }, { logger: false }), /chmod 700/);
      chmodSync(dataDir, 0o700);
    });
  });

  describe('secret values at rest', () => {
    const keyFile = () => join(root, 'keys', 'sealing.key');

    it('seals SecretString, SecretBinary, the root secret key and the signing key; only the key file opens them', async () => {
      const dataDir = join(root, 'sealed');
      const berth = await startBerth({ dataDir, keyFile: keyFile() });
      const marker = `plain-marker-${Date.now()}`;
      const binary = Buffer.from(`binary-marker-${Date.now()}`);
      try {
        const sm = berth.secretsManager();
        await sm.send(new CreateSecretCommand({ Name: 'db/password', SecretString: `${marker}-1` }));
        await sm.send(new PutSecretValueCommand({ SecretId: 'db/password', SecretString: `${marker}-2` }));
        await sm.send(new CreateSecretCommand({ Name: 'blob', SecretBinary: binary }));
        await berth.ecr().send(new GetAuthorizationTokenCommand({}));
        const bytes = databaseBytes(dataDir);
        for (const plain of [marker, binary.toString('base64'), binary.toString(), testCredentials.secretAccessKey]) {
          assert.ok(!bytes.includes(plain), `'${plain}' is not in the database files`);
        }
        const db = new BetterSqlite3(join(dataDir, 'berth.db'), { readonly: true });
        const signingKey = db.prepare(`SELECT value FROM registry_settings WHERE key = 'token-signing-key'`).pluck().get() as string;
        db.close();
        assert.match(signingKey, /^sealed:v1:/);

        await berth.stop();
        await berth.restart();
        const again = berth.secretsManager();
        assert.equal((await again.send(new GetSecretValueCommand({ SecretId: 'db/password' }))).SecretString, `${marker}-2`);
        assert.equal((await again.send(new GetSecretValueCommand({ SecretId: 'db/password', VersionStage: 'AWSPREVIOUS' }))).SecretString, `${marker}-1`);
        assert.deepEqual(Buffer.from((await again.send(new GetSecretValueCommand({ SecretId: 'blob' }))).SecretBinary!), binary);
      } finally {
        await berth.close();
      }

      const config = { host: '127.0.0.1', port: 0, dataDir, region: 'us-east-1', accountId: '000000000000', logLevel: 'silent' };
      const otherKey = join(root, 'keys', 'other.key');
      writeFileSync(otherKey, `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
      await assert.rejects(startServer({ ...config, keyFile: otherKey }, { logger: false }), new RegExp(`the key in ${otherKey} does not open the secrets`));
      await assert.rejects(startServer({ ...config, keyFile: join(root, 'keys', 'missing.key') }, { logger: false }), /were sealed with a key that is not at .*missing\.key/);
      assert.ok(!existsSync(join(root, 'keys', 'missing.key')), 'no new key was made for a database sealed with another');
      chmodSync(otherKey, 0o644);
      await assert.rejects(startServer({ ...config, keyFile: otherKey }, { logger: false }), /chmod 600/);
    });

    it('seals, on start, values an earlier Berth stored in plain text', async () => {
      const dataDir = join(root, 'migrated');
      const berth = await startBerth({ dataDir, keyFile: keyFile() });
      const old = `stored-in-plain-${Date.now()}`;
      try {
        await berth.secretsManager().send(new CreateSecretCommand({ Name: 'legacy', SecretString: 'replaced below' }));
        await berth.stop();
        // As an earlier Berth wrote them: the documents themselves, unsealed.
        const db = new BetterSqlite3(join(dataDir, 'berth.db'));
        db.prepare('UPDATE secret_values SET doc = ?').run(JSON.stringify({ secretString: old }));
        db.prepare('UPDATE credentials SET doc = ?').run(JSON.stringify({ ...testCredentials, accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root', isRoot: true, createdAt: 0 }));
        db.close();
        assert.ok(databaseBytes(dataDir).includes(old), 'the plain value is in the file before the start');

        await berth.restart();
        assert.equal((await berth.secretsManager().send(new GetSecretValueCommand({ SecretId: 'legacy' }))).SecretString, old);
        const bytes = databaseBytes(dataDir);
        assert.ok(!bytes.includes(old), 'the plain value is gone from the files after the start');
        assert.ok(!bytes.includes(testCredentials.secretAccessKey), 'so is the plain root secret key');
      } finally {
        await berth.close();
      }
    });
  });
});
