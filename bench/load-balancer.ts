/**
 * Load balancer benchmark: requests/s and latency (p50, p99) of small static responses through one
 * listener to 3 targets, with wrk (64 connections, keep-alive), in one run, side by side:
 *  1. the targets directly (wrk on the first target: the ceiling of this machine);
 *  2. Debian's nginx as a plain reverse proxy to the 3 targets (keepalive upstream): the reference;
 *  3. the embedded data plane;
 *  4. the haproxy data plane, when this checkout has one.
 * The targets are one nginx serving `return 200` on 3 ports, so they are not the bottleneck. Each
 * data plane's CPU use during its run comes from /proc (user + system time over wall time; 100 % is
 * one core), which says what limits it, and over the requests served, CPU time per request: on a
 * machine shared with wrk and the targets, the steadier figure to compare changes by. Then, on the embedded data plane (and haproxy's): how long
 * after a registered target turns healthy it takes its first request, and how long after a
 * deregistration the target takes its last one. Last, on Docker, a rolling deployment of a 3-task
 * service behind an ALB under 200 requests/s: failed requests and duration (load-balancer-rollout.ts).
 *
 * Prints figures; asserts nothing. Needs nginx and wrk (`apt-get install nginx wrk`), and Docker
 * for the rollout (BERTH_BENCH_LB_ROLLOUT=0 skips it).
 * Environment: BERTH_BENCH_LB_SECONDS (10), BERTH_BENCH_LB_CONNECTIONS (64), BERTH_BENCH_LB_THREADS (2),
 * BERTH_BENCH_LB_NGINX_WORKERS (1: one process, as each data plane is one process), BERTH_BENCH_LB_ROUNDS (3:
 * every row is measured once per round, the rows in turn from a different first row each round,
 * and the medians reported);
 * BERTH_LB_FAST_PATH=0 makes the embedded data plane forward through node:http only, to compare.
 * The load average is printed first: on a shared machine the figures move with it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer as createHttpServer, request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataPlane, DataPlaneConfig, TargetConfig, TargetGroupConfig } from '../src/elbv2/data-plane/types.js';
import { createEmbeddedDataPlane } from '../src/elbv2/data-plane/embedded/index.js';
import { whenInterrupted } from '../test/helpers/interrupt.js';
import { rolloutUnderLoad } from './load-balancer-rollout.js';

const seconds = Number(process.env.BERTH_BENCH_LB_SECONDS ?? 10);
const connections = Number(process.env.BERTH_BENCH_LB_CONNECTIONS ?? 64);
const threads = Number(process.env.BERTH_BENCH_LB_THREADS ?? 2);
const nginxWorkers = Number(process.env.BERTH_BENCH_LB_NGINX_WORKERS ?? 1);
const rounds = Number(process.env.BERTH_BENCH_LB_ROUNDS ?? 3);

interface WrkResult {
  requestsPerSecond: number;
  /** All requests of the run ("N requests in …"). */
  requests: number;
  p50Ms: number;
  p99Ms: number;
  errors: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

export function parseWrk(output: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const requests = /(\d+) requests in/.exec(output);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s|m)\b/.exec(output);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s|m)\b/.exec(output);
  const errors = [/Socket errors:.*/.exec(output)?.[0], /Non-2xx or 3xx responses:.*/.exec(output)?.[0]].filter((line) => line !== undefined).join('; ');
  return { requestsPerSecond: Number(rps?.[1] ?? 0), requests: Number(requests?.[1] ?? 0), p50Ms: p50 === null ? NaN : toMs(p50[1] ?? '', p50[2] ?? ''), p99Ms: p99 === null ? NaN : toMs(p99[1] ?? '', p99[2] ?? ''), errors };
}

function wrk(url: string, durationSeconds = seconds): WrkResult {
  const output = execFileSync('wrk', [`-t${threads}`, `-c${connections}`, `-d${durationSeconds}s`, '--latency', url], { encoding: 'utf8' });
  return parseWrk(output);
}

/** CPU seconds (user + system) of a process so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** wrk against `url`, with the CPU share each of `pids` used meanwhile (100 % = one core). */
function measure(url: string, pids: number[]): WrkResult & { cpuPercent: number; cpuMicrosPerRequest: number } {
  wrk(url, 1); // warm-up: connections, agents, JIT
  const before = pids.map(cpuSeconds);
  const started = process.hrtime.bigint();
  const result = wrk(url);
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = pids.map((pid, i) => cpuSeconds(pid) - (before[i] ?? 0)).reduce((sum, value) => sum + value, 0);
  return { ...result, cpuPercent: (used / wallSeconds) * 100, cpuMicrosPerRequest: (used / result.requests) * 1e6 };
}

interface Nginx {
  pids: number[];
  stop(): Promise<void>;
}

function nginxPids(pidFile: string): number[] {
  const master = Number(readFileSync(pidFile, 'utf8').trim());
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(master)], { encoding: 'utf8' }).split('\n').map((line) => Number(line.trim())).filter((pid) => pid > 0);
  return [master, ...children];
}

async function startNginx(name: string, body: string, workers: number): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), `berth-bench-nginx-${name}-`));
  mkdirSync(join(dir, 'tmp'));
  const pidFile = join(dir, 'nginx.pid');
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes ${workers};
pid ${pidFile};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'tmp')};
  proxy_temp_path ${join(dir, 'tmp')};
  fastcgi_temp_path ${join(dir, 'tmp')};
  uwsgi_temp_path ${join(dir, 'tmp')};
  scgi_temp_path ${join(dir, 'tmp')};
  keepalive_requests 1000000;
${body}
}
`);
  const child: ChildProcess = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const forget = whenInterrupted(stop);
  for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!existsSync(pidFile)) throw new Error(`nginx (${name}) did not start; see ${join(dir, 'error.log')}`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    pids: nginxPids(pidFile),
    stop: async () => {
      forget();
      await stop();
    },
  };
}

const healthCheck = { enabled: true, protocol: 'HTTP' as const, port: 'traffic-port' as const, path: '/health', matcher: '200', intervalSeconds: 1, timeoutSeconds: 1, healthyThreshold: 2, unhealthyThreshold: 2 };

function targetGroupOf(targets: TargetConfig[]): TargetGroupConfig {
  return {
    arn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/bench/0123456789abcdef',
    name: 'bench',
    protocol: 'HTTP',
    targetType: 'instance',
    algorithm: 'round_robin',
    stickiness: { enabled: false, type: 'lb_cookie', durationSeconds: 86400 },
    slowStartSeconds: 0,
    deregistrationDelaySeconds: 30,
    healthCheck,
    targets,
  };
}

function configOf(address: string, port: number, group: TargetGroupConfig): DataPlaneConfig {
  return {
    loadBalancers: [{
      arn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/bench/0123456789abcdef',
      name: 'bench',
      type: 'application',
      address,
      dnsName: 'bench-1.us-east-1.elb.localhost',
      idleTimeoutSeconds: 60,
      listeners: [{
        arn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/bench/0123456789abcdef/1',
        port,
        protocol: 'HTTP',
        rules: [{ arn: 'default', priority: 'default', conditions: [], actions: [{ type: 'forward', targetGroups: [{ targetGroupArn: group.arn, weight: 1 }] }] }],
      }],
    }],
    targetGroups: [group],
  };
}

const target = (name: string, port: number, registeredAt = Date.now()): TargetConfig => ({ id: `i-${name}`, address: '127.0.0.1', port, state: 'registered', registeredAt });

async function until(what: string, probe: () => Promise<boolean>, deadlineMs = 30_000): Promise<number> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await probe()) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${what}: not within ${deadlineMs} ms`);
}

/** Requests in a loop on 4 keep-alive connections until stopped. */
function steadyTraffic(url: string): { stop(): Promise<void> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  let running = true;
  const one = (): Promise<void> => new Promise((resolve) => {
    request(url, { agent }, (response) => {
      response.resume();
      response.on('end', resolve);
    }).on('error', () => resolve()).end();
  });
  const loops = Array.from({ length: 4 }, async () => {
    while (running) await one();
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

/** A fourth target in this process, so both sides of each figure are stamped by one clock: when health checks and requests arrive. */
async function watchedTarget(): Promise<{ port: number; checks: number[]; requests: number[]; close(): Promise<void> }> {
  const checks: number[] = [];
  const requests: number[] = [];
  const server = createHttpServer((req, res) => {
    (req.url === '/health' ? checks : requests).push(performance.now());
    res.writeHead(200, { 'content-type': 'text/plain' }).end('t4');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    checks,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * Registration: from the target's answer to the health check that made it healthy (the
 * healthyThreshold-th) to the first request it receives. Deregistration: from the apply that
 * deregisters it to the last request it receives. Both stamped at the target, under steady traffic.
 */
async function reactionTimes(plane: DataPlane, address: string, port: number, ports: number[]): Promise<{ takesTrafficMs: number; stopsMs: number }> {
  const base = ports.map((p, i) => target(`t${i + 1}`, p));
  const watched = await watchedTarget();
  const traffic = steadyTraffic(`http://${address}:${port}/`);
  try {
    await plane.apply(configOf(address, port, targetGroupOf([...base, target('t4', watched.port)])));
    await until('traffic on the new target', async () => watched.requests.length > 0);
    const healthyAt = watched.checks[healthCheck.healthyThreshold - 1] ?? NaN;
    const takesTrafficMs = (watched.requests[0] ?? NaN) - healthyAt;
    const appliedAt = performance.now();
    await plane.apply(configOf(address, port, targetGroupOf([...base, { ...target('t4', watched.port), state: 'draining', drainingUntil: Date.now() + 30_000 }])));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stopsMs = Math.max(0, (watched.requests[watched.requests.length - 1] ?? appliedAt) - appliedAt);
    return { takesTrafficMs, stopsMs };
  } finally {
    await traffic.stop();
    await watched.close();
  }
}

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

export async function main(): Promise<void> {
  await throughputAndReactions();
  if (process.env.BERTH_BENCH_LB_ROLLOUT !== '0') await rolloutUnderLoad();
}

async function throughputAndReactions(): Promise<void> {
  for (const tool of ['nginx', 'wrk']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`], { stdio: 'ignore' });
    } catch {
      console.log(`${tool} is not installed: apt-get install nginx wrk. Skipping the load balancer benchmark.`);
      return;
    }
  }
  const ports = [await freePort(), await freePort(), await freePort()];
  const servers = ports.map((p, i) => `  server { listen 127.0.0.1:${p}; location / { default_type text/plain; return 200 "t${i + 1}"; } }`).join('\n');
  const targets = await startNginx('targets', servers, 1);
  const proxyPort = await freePort();
  const upstream = ports.map((p) => `server 127.0.0.1:${p};`).join(' ');
  const proxy = await startNginx('proxy', `  upstream targets { ${upstream} keepalive 64; }
  server { listen 127.0.0.1:${proxyPort}; location / { proxy_pass http://targets; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; } }`, nginxWorkers);
  const subjects: Subject[] = [
    { name: 'targets directly (one of them)', url: `http://127.0.0.1:${ports[0]}/`, pids: targets.pids, results: [] },
    { name: 'nginx reverse proxy', url: `http://127.0.0.1:${proxyPort}/`, pids: proxy.pids, results: [] },
  ];
  const reactions: { name: string; takesTrafficMs: number; stopsMs: number }[] = [];
  const opened: { name: string; plane: DataPlane; stateDir: string; address: string; port: number; forget: () => void }[] = [];
  try {
    console.log(`load average before: ${loadavg().map((n) => n.toFixed(2)).join(' ')} on ${cpus().length} cores`);
    console.log(`wrk -t${threads} -c${connections} -d${seconds}s --latency, small static responses (nginx return 200), 3 targets; nginx proxy with ${nginxWorkers} worker(s); ${rounds} round(s), each measuring every row in turn`);

    const planes: { name: string; open: (stateDir: string) => Promise<DataPlane> }[] = [{ name: 'embedded data plane', open: (stateDir) => createEmbeddedDataPlane({ stateDir }) }];
    const haproxyEntry = fileURLToPath(new URL('../src/elbv2/data-plane/haproxy/index.js', import.meta.url));
    if (existsSync(haproxyEntry)) {
      const module = (await import(haproxyEntry)) as { createHaproxyDataPlane: (options: { stateDir: string }) => Promise<DataPlane> };
      planes.push({ name: 'haproxy data plane', open: (stateDir) => module.createHaproxyDataPlane({ stateDir }) });
    } else {
      console.log('haproxy data plane: not in this checkout (src/elbv2/data-plane/haproxy/), skipped');
    }
    // Every data plane stands at once, each on its own address, so that the rounds can interleave them.
    for (const [index, entry] of planes.entries()) {
      const stateDir = mkdtempSync(join(tmpdir(), 'berth-bench-lb-'));
      const plane = await entry.open(stateDir);
      const address = `127.0.2.${200 + index}`;
      const port = await freePort();
      opened.push({ name: entry.name, plane, stateDir, address, port, forget: whenInterrupted(() => plane.shutdown()) });
      const group = targetGroupOf(ports.map((p, i) => target(`t${i + 1}`, p)));
      const applied = await plane.apply(configOf(address, port, group));
      if (applied.listenerErrors.length > 0) throw new Error(`${entry.name}: ${JSON.stringify(applied.listenerErrors)}`);
      await until(`${entry.name}: 3 healthy targets`, async () => (await plane.health()).filter((r) => r.state === 'healthy').length === 3);
      subjects.push({ name: entry.name, url: `http://${address}:${port}/`, pids: dataPlanePids(plane, stateDir), results: [] });
    }
    // Each round starts one row further on, so that no row always follows the same one (the
    // embedded data plane leaves a core busy for a moment after its run, for instance).
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < subjects.length; i++) {
        const subject = subjects[(round + i) % subjects.length]!;
        const result = measure(subject.url, subject.pids);
        subject.results[round] = result;
        // Progress, and each round's own figures, to stderr: a stall in one round shows here.
        console.error(`round ${round + 1}/${rounds} ${subject.name}: ${fmt(result.requestsPerSecond)} req/s, p99 ${fmt(result.p99Ms, 2)} ms${result.errors ? `, ${result.errors}` : ''}`);
      }
    }
    for (const { name, plane, address, port } of opened) reactions.push({ name, ...(await reactionTimes(plane, address, port, ports)) });
  } finally {
    for (const { plane, stateDir, forget } of opened) {
      await plane.shutdown();
      forget();
      rmSync(stateDir, { recursive: true, force: true });
    }
    await proxy.stop();
    await targets.stop();
  }
  printThroughput(subjects);
  for (const reaction of reactions) {
    console.log(`${reaction.name}: a new target takes its first request ${fmt(reaction.takesTrafficMs, 1)} ms after answering the health check that makes it healthy; a deregistered one its last request ${fmt(reaction.stopsMs, 1)} ms after the apply (health check interval 1 s, healthy threshold 2)`);
  }
  console.log('CPU %: the data plane process(es) during the run, user + system over wall time; 100 % is one core (this machine has 2, shared with wrk and the targets). CPU µs/req: that CPU time over the requests served, the figure to compare on a busy machine.');
}

interface Subject {
  name: string;
  url: string;
  pids: number[];
  /** One measurement per round. */
  results: ReturnType<typeof measure>[];
}

const median = (values: number[]): number => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * Medians over the rounds. The ratios to nginx are paired: each round's figure divided by nginx's
 * in the same round (measured seconds apart), then the median of those, so that a burst of load
 * from elsewhere moves both sides of a ratio. With 3 rounds, the range shows how much they moved.
 */
function printThroughput(subjects: Subject[]): void {
  const nginx = subjects[1]!;
  const ratios = (subject: Subject, figure: (result: Subject['results'][number]) => number) =>
    subject.results.map((result, round) => figure(result) / figure(nginx.results[round]!));
  const range = (values: number[]) => (values.length > 1 ? ` (${fmt(Math.min(...values), 2)}–${fmt(Math.max(...values), 2)})` : '');
  console.log(`${'through'.padEnd(32)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'CPU %'.padStart(6)} ${'CPU µs/req'.padStart(10)}  ${'req/s ÷ nginx'.padStart(22)} ${'p99 ÷ nginx'.padStart(22)}  errors`);
  for (const subject of subjects) {
    const of = (figure: (result: Subject['results'][number]) => number) => median(subject.results.map(figure));
    const rpsRatios = ratios(subject, (r) => r.requestsPerSecond);
    const p99Ratios = ratios(subject, (r) => r.p99Ms);
    const errors = subject.results.map((r) => r.errors).filter((e) => e !== '').join('; ');
    console.log(
      `${subject.name.padEnd(32)} ${fmt(of((r) => r.requestsPerSecond)).padStart(9)} ${fmt(of((r) => r.p50Ms), 2).padStart(8)} ${fmt(of((r) => r.p99Ms), 2).padStart(8)} ${fmt(of((r) => r.cpuPercent)).padStart(6)} ${fmt(of((r) => r.cpuMicrosPerRequest), 1).padStart(10)}  ${`${fmt(median(rpsRatios), 2)}${range(rpsRatios)}`.padStart(22)} ${`${fmt(median(p99Ratios), 2)}${range(p99Ratios)}`.padStart(22)}  ${errors || '-'}`,
    );
  }
  console.log('Figures are medians over the rounds; a ratio is the median of the rounds\' ratios to nginx in the same round, with their range in brackets.');
}

/**
 * The data plane's process ids for the CPU figure: the embedded one's pid, or any *.pid in its
 * state directory, with their children (haproxy's pid file names its master; its worker, a child,
 * does the forwarding).
 */
function dataPlanePids(plane: DataPlane, stateDir: string): number[] {
  const withPid = plane as DataPlane & { pid?: number };
  let pids: number[] = [];
  if (typeof withPid.pid === 'number') {
    pids = [withPid.pid];
  } else {
    try {
      const out = execFileSync('sh', ['-c', `cat ${stateDir}/*.pid 2>/dev/null`], { encoding: 'utf8' });
      pids = out.split(/\s+/).map(Number).filter((pid) => pid > 0);
    } catch {
      return [];
    }
  }
  return [...new Set([...pids, ...pids.flatMap(childPids)])];
}

function childPids(parent: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(parent)], { encoding: 'utf8' }).split('\n').map((line) => Number(line.trim())).filter((pid) => pid > 0);
  } catch {
    return []; // ps exits 1 when there is none
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
