/** Conformance: every acknowledged write survives a restart and a SIGKILL of the writing process. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import * as records from '../records.js';
import { page, type ConformanceSuite } from './support.js';

export function durabilityCases(suite: ConformanceSuite): void {
  describe('durability', () => {
    it('keeps every acknowledged write across a restart', async () => {
      const place = await suite.backend.create();
      let first = await place.open();
      const arns: string[] = [];
      for (let i = 0; i < 50; i++) {
        const created = records.task('restart', `t${i}`);
        await first.write((tx) => tx.tasks.put(created));
        arns.push(created.taskArn);
      }
      await first.close();
      first = await place.open();
      try {
        const found = await first.read((tx) => tx.tasks.listArns({ clusterArn: records.clusterArn('restart') }, page(1_000)));
        assert.deepEqual(found.items, arns);
      } finally {
        await first.close();
        await place.dispose();
      }
    });

    it('keeps every acknowledged write when the writing process is killed with SIGKILL', async () => {
      const place = await suite.backend.create();
      try {
        const { command, args } = place.writerProcess(100_000);
        const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
        const acknowledged: string[] = [];
        let buffered = '';
        const killed = new Promise<void>((resolve) => child.on('exit', () => resolve()));
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          buffered += chunk;
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) if (line.startsWith('ack ')) acknowledged.push(line.slice(4));
          // Killed mid-stream: it is writing as fast as it can.
          if (acknowledged.length >= 300 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
        });
        await killed;
        assert.equal(child.signalCode, 'SIGKILL');
        assert.ok(acknowledged.length >= 300);
        const reopened = await place.open();
        try {
          const stored = new Set<string>();
          let cursor: string | undefined;
          do {
            const result = await reopened.read((tx) => tx.tasks.listArns({ clusterArn: records.clusterArn('killed') }, page(1_000, cursor)));
            for (const arn of result.items) stored.add(arn);
            cursor = result.next;
          } while (cursor !== undefined);
          const missing = acknowledged.filter((arn) => !stored.has(arn));
          assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged writes lost`);
        } finally {
          await reopened.close();
        }
      } finally {
        await place.dispose();
      }
    });
  });
}
