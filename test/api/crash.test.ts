/** kill -9 of the server process: everything it acknowledged is there after a restart. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CreateClusterCommand, ECSClient, ListClustersCommand, RegisterTaskDefinitionCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { testCredentials } from '../helpers/berth.js';

function startProcess(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bin/berth.js', 'server', '--port', '0', '--log-level', 'info'], {
    env: { ...process.env, BERTH_DATA_DIR: dataDir, BERTH_ROOT_ACCESS_KEY_ID: testCredentials.accessKeyId, BERTH_ROOT_SECRET_ACCESS_KEY: testCredentials.secretAccessKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /endpoint:\s+(http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`berth exited (${code}): ${output}`)));
  });
}

describe('a killed server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-crash-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps every acknowledged write after kill -9, and logs requests with their ids', async () => {
    const first = await startProcess(dataDir);
    const ecs = new ECSClient({ endpoint: first.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    const created: string[] = [];
    for (let i = 0; i < 20; i++) {
      await ecs.send(new CreateClusterCommand({ clusterName: `c${i}` }));
      created.push(`c${i}`);
    }
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'kept', containerDefinitions: [{ name: 'a', image: 'busybox', memory: 64 }] }));
    // A burst still in flight when the process dies: whatever was acknowledged must survive.
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      ecs.send(new CreateClusterCommand({ clusterName: `late${i}` })).then(
        () => `late${i}`,
        () => undefined,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Listen before killing: the exit may be seen while the in-flight requests settle.
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    const acknowledged = (await Promise.all(inFlight)).filter((name): name is string => name !== undefined);
    await exited;
    ecs.destroy();

    // Requests are logged at debug level, as JSON, in the data directory's log file.
    const logs = readFileSync(join(dataDir, 'berth.log'), 'utf8');
    const line = logs.split('\n').find((entry) => entry.includes('"msg":"request"'));
    assert.ok(line, 'a structured request log line was written');
    const record = JSON.parse(line) as { requestId?: string; status?: number; target?: string };
    assert.match(record.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(record.status, 200);

    const second = await startProcess(dataDir);
    try {
      const again = new ECSClient({ endpoint: second.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
      const listed = new Set<string>();
      let nextToken: string | undefined;
      do {
        const page = await again.send(new ListClustersCommand({ ...(nextToken ? { nextToken } : {}) }));
        for (const arn of page.clusterArns ?? []) listed.add(arn.split('/').pop()!);
        nextToken = page.nextToken;
      } while (nextToken);
      for (const name of [...created, ...acknowledged]) assert.ok(listed.has(name), `${name} survived`);
      const definition = await again.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'kept:1' }));
      assert.equal(definition.taskDefinition?.family, 'kept');
      again.destroy();
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }
  });
});
