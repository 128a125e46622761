/**
 * The agent benchmark leaves nothing behind: no task container, no `docker run` container of its
 * comparison, no Berth process, whether it runs to the end or is interrupted midway.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { describe, test } from 'node:test';
import { eventually } from '../helpers/agent.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';

const docker = await dockerAvailable();

/**
 * The benchmark's task containers (its task definition family is `latency`) and its plain
 * `docker run -d <image> sleep 600` containers, which carry no label at all.
 */
function benchContainers(image: string): string[] {
  const tasks = execFileSync('docker', ['ps', '-aq', '--filter', 'label=com.amazonaws.ecs.task-definition-family=latency'], { encoding: 'utf8' });
  const plain = execFileSync('docker', ['ps', '-a', '--no-trunc', '--filter', `ancestor=${image}`, '--format', '{{.ID}}|{{.Labels}}|{{.Command}}'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split('|'))
    .filter(([id, labels, command]) => id && labels === '' && command?.includes('sleep 600'))
    .map(([id]) => id!.slice(0, 12));
  return [...tasks.split('\n').filter(Boolean), ...plain];
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function startBench(): { child: ChildProcess; output(): string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['dist/bench/agent.js'], {
    env: { ...process.env, BERTH_BENCH_LATENCY_RUNS: '4', BERTH_BENCH_SIM_INSTANCES: '2', BERTH_BENCH_SIM_TASKS: '10' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

describe('agent benchmark clean-up', { skip: docker ? false : 'no Docker engine reachable' }, () => {
  test('a full run leaves no container behind', async () => {
    const image = await buildBusyboxImage();
    const before = new Set(benchContainers(image));
    const bench = startBench();
    const code = await bench.exit;
    assert.equal(code, 0, bench.output());
    assert.match(bench.output(), /start latency, median of 4/);
    assert.deepEqual(benchContainers(image).filter((id) => !before.has(id)), [], 'containers left behind');
  });

  test('interrupted while tasks run, it removes its containers and stops its Berth process', async () => {
    const image = await buildBusyboxImage();
    const before = new Set(benchContainers(image));
    const bench = startBench();
    try {
      await eventually(async () => (benchContainers(image).some((id) => !before.has(id)) ? true : undefined), 60_000, 'the benchmark to start containers');
      const children = childrenOf(bench.child.pid!);
      bench.child.kill('SIGINT');
      assert.equal(await bench.exit, 130, bench.output());
      assert.deepEqual(benchContainers(image).filter((id) => !before.has(id)), [], 'containers left behind');
      assert.deepEqual(children.filter(alive), [], 'child processes left running');
    } finally {
      if (bench.child.exitCode === null && bench.child.signalCode === null) bench.child.kill('SIGKILL');
    }
  });
});
