/** `--load-balancer-addresses` as `berth server` takes it: from a flag or the environment, refused when it is no IPv4 block, and in force once given. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { testCredentials } from '../helpers/berth.js';
import { startBerthProcess } from '../helpers/berth-process.js';
import { freePort } from '../helpers/ports.js';

const run = promisify(execFile);
const serverEnv = { ...process.env, BERTH_ROOT_ACCESS_KEY_ID: testCredentials.accessKeyId, BERTH_ROOT_SECRET_ACCESS_KEY: testCredentials.secretAccessKey };

describe('berth server: --load-balancer-addresses', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-lb-cli-'));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('refuses a range that is not an IPv4 CIDR block, from a flag or the environment, and starts nothing', async () => {
    const cases: [string[], NodeJS.ProcessEnv][] = [
      [['--load-balancer-addresses', '127.0.2.0'], serverEnv],
      [[], { ...serverEnv, BERTH_LOAD_BALANCER_ADDRESSES: '127.0.2.0/40' }],
    ];
    for (const [flags, env] of cases) {
      const failed = await run(process.execPath, ['bin/berth.js', 'server', '--port', String(await freePort()), '--data-dir', dataDir(), ...flags], { env }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      assert.ok(failed, `berth server ${flags.join(' ')} must not start`);
      assert.equal(failed.code, 2);
      assert.match(failed.stderr, /load balancer addresses must be an IPv4 CIDR block such as 127.0.2.0\/24/);
    }
  });

  it('gives load balancers addresses from the range given', async () => {
    const server = await startBerthProcess(
      ['server', '--port', String(await freePort()), '--data-dir', dataDir(), '--load-balancer-addresses', '127.0.9.16/28'],
      serverEnv,
    );
    const elb = new ElasticLoadBalancingV2Client({ endpoint: server.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    try {
      const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: 'tcp', Type: 'network' }));
      assert.equal(LoadBalancers?.[0]?.AvailabilityZones?.[0]?.LoadBalancerAddresses?.[0]?.IpAddress, '127.0.9.17');
    } finally {
      elb.destroy();
      await server.stop();
    }
  });
});
