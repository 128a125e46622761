import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { systemClock } from '../../../src/core/clock.js';
import { Registry } from '../../../src/registry/registry.js';
import { registryHostOf, TaskPullAuth } from '../../../src/registry/task-pull-auth.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';

describe('registry hosts', () => {
  it('reads the registry host of an image reference as docker does', () => {
    assert.equal(registryHostOf('busybox'), undefined);
    assert.equal(registryHostOf('library/busybox:1'), undefined);
    assert.equal(registryHostOf('127.0.0.1:4566/web:1'), '127.0.0.1:4566');
    assert.equal(registryHostOf('localhost/team/web@sha256:00'), 'localhost');
    assert.equal(registryHostOf('registry.example.com/team/web'), 'registry.example.com');
  });

  it('names the registry by where it listens, loopback for a wildcard address, or the configured host', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-hosts-'));
    const store = new SqliteStore(dataDir);
    try {
      const registry = new Registry({ store, clock: systemClock, dataDir });
      const pullAuth = new TaskPullAuth(registry);
      registry.listeningAt('http://127.0.0.1:4566');
      assert.equal(registry.repositoryUri('team/web'), '127.0.0.1:4566/team/web');
      assert.ok(pullAuth.isHostedHere('localhost:4566/team/web:1'), 'loopback names are one host');
      assert.ok(!pullAuth.isHostedHere('127.0.0.1:4567/team/web:1'));
      registry.listeningAt('http://0.0.0.0:4566');
      assert.equal(registry.endpoint, 'http://127.0.0.1:4566');
      registry.listeningAt('http://0.0.0.0:4566', 'berth.internal:4566');
      assert.equal(registry.repositoryUri('web'), 'berth.internal:4566/web');
      assert.ok(pullAuth.isHostedHere('berth.internal:4566/web:1'));
      assert.ok(!pullAuth.isHostedHere('127.0.0.1:4566/web:1'));
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
