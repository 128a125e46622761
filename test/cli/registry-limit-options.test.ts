/** The registry's limits as `berth server` takes them: flags and environment, refused when they are no size, and in force once given. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { testCredentials } from '../helpers/berth.js';
import { startBerthProcess } from '../helpers/berth-process.js';
import { freePort } from '../helpers/ports.js';
import { sha256 } from '../helpers/registry.js';

const run = promisify(execFile);
const serverEnv = { ...process.env, BERTH_ROOT_ACCESS_KEY_ID: testCredentials.accessKeyId, BERTH_ROOT_SECRET_ACCESS_KEY: testCredentials.secretAccessKey };

describe('berth server: registry limit options', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-limits-cli-'));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('refuses a size it cannot read, from a flag or the environment, and starts nothing', async () => {
    const cases: [string[], NodeJS.ProcessEnv][] = [
      [['--registry-max-blob-size', '10XB'], serverEnv],
      [['--registry-account-quota', '-5'], serverEnv],
      [[], { ...serverEnv, BERTH_REGISTRY_ACCOUNT_QUOTA: 'lots' }],
      [[], { ...serverEnv, BERTH_REGISTRY_MAX_BLOB_SIZE: '0' }],
    ];
    for (const [flags, env] of cases) {
      const failed = await run(process.execPath, ['bin/berth.js', 'server', '--port', String(await freePort()), '--data-dir', dataDir(), ...flags], { env }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      assert.ok(failed, `berth server ${flags.join(' ')} must not start`);
      assert.notEqual(failed.code, 0);
      assert.match(failed.stderr, /a size in bytes, or with a unit: 512MiB, 10GiB, 1TiB/);
    }
  });

  it('enforces --registry-max-blob-size on pushes', async () => {
    const server = await startBerthProcess(['server', '--port', String(await freePort()), '--data-dir', dataDir(), '--registry-max-blob-size', '1KiB'], serverEnv);
    try {
      const ecr = new ECRClient({ endpoint: server.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'limited' }));
      const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!.authorizationToken!;
      ecr.destroy();
      const push = (content: Buffer) =>
        fetch(`${server.url}/v2/limited/blobs/uploads/?digest=${sha256(content)}`, {
          method: 'POST',
          headers: { authorization: `Basic ${token}`, 'content-type': 'application/octet-stream' },
          body: Uint8Array.from(content),
        });
      assert.equal((await push(Buffer.alloc(1024, 1))).status, 201);
      const refused = await push(Buffer.alloc(1025, 2));
      assert.equal(refused.status, 413);
      assert.equal(((await refused.json()) as { errors: { code: string }[] }).errors[0]!.code, 'SIZE_INVALID');
    } finally {
      await server.stop();
    }
  });
});
