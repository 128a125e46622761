/** `--load-balancer-data-plane` as `berth server` takes it: haproxy is refused at start, saying what to do, where its executable is missing. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { testCredentials } from '../helpers/berth.js';
import { freePort } from '../helpers/ports.js';

const run = promisify(execFile);
const serverEnv = { ...process.env, BERTH_ROOT_ACCESS_KEY_ID: testCredentials.accessKeyId, BERTH_ROOT_SECRET_ACCESS_KEY: testCredentials.secretAccessKey };

describe('berth server: --load-balancer-data-plane', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-lb-plane-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const start = async (flags: string[], env: NodeJS.ProcessEnv) =>
    run(process.execPath, ['bin/berth.js', 'server', '--port', String(await freePort()), '--data-dir', dataDir, ...flags], { env, timeout: 30_000 }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );

  it('refuses haproxy when no haproxy executable is on the PATH, from the flag or the environment', async () => {
    for (const [flags, env] of [
      [['--load-balancer-data-plane', 'haproxy'], { ...serverEnv, PATH: join(dataDir, 'no-such-bin') }],
      [[], { ...serverEnv, PATH: join(dataDir, 'no-such-bin'), BERTH_LOAD_BALANCER_DATA_PLANE: 'haproxy' }],
    ] as const) {
      const failed = await start([...flags], env);
      assert.ok(failed, 'berth server must not start');
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /needs the 'haproxy' executable on the PATH .*apt-get install haproxy.*--load-balancer-data-plane embedded/);
    }
  });

  it('refuses a kind it does not know', async () => {
    const failed = await start(['--load-balancer-data-plane', 'nginx'], serverEnv);
    assert.ok(failed);
    assert.match(failed.stderr, /embedded, haproxy/);
  });
});
