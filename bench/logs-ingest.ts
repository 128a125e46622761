/**
 * CloudWatch Logs benchmarks against a Berth server process, through signed SDK clients:
 *  - PutLogEvents ingest, twice: through the SDK (which serializes and signs each batch), and as
 *    requests serialized and signed once per client and sent again and again (so the client costs
 *    next to nothing and the figure is the server's);
 *    batches of 10,000 events (~60 bytes each: 10,000 events must fit PutLogEvents' 1 MiB) from 8 concurrent clients, each
 *    on a stream of its own → events/s, with the server's CPU share (the client serializes and signs
 *    each batch too: when the server's share is near a full core, the server is the bottleneck);
 *    the same calls against `moto_server` when it is installed, as a ratio;
 *  - FilterLogEvents with a term pattern over 1,000,000 events (1 in 1,000 matching), the SDK
 *    following nextToken to the end → latency.
 *  - the SQLite log storage alone, in this process: appending 1,000,000 events in batches of
 *    10,000 (synchronous=NORMAL as served, and FULL for comparison), bytes on disk per event,
 *    expiring half by retention and compacting (time, bytes given back).
 * Prints figures; asserts nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  paginateFilterLogEvents,
} from '@aws-sdk/client-cloudwatch-logs';
import { Hash } from '@smithy/hash-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteLogStorage } from '../src/logs/storage/sqlite.js';
import { benchCredentials, fmt, load, startBerthProcess, stats, whenInterrupted } from './support.js';

const clients = 8;
const batchSize = 10_000;
const batchesPerClient = 20;

function logsClient(url: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: benchCredentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 16 }) }),
  });
}

const batch = (start: number, tag: string) =>
  Array.from({ length: batchSize }, (_, i) => ({ timestamp: start, message: `INFO ${tag} request ${i} served in ${i % 97} ms path=/api/items/${i}` }));

async function ingest(url: string, group: string, batches: number): Promise<{ eventsPerSecond: number; p50: number; p99: number; seconds: number }> {
  const logs = logsClient(url);
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (let c = 0; c < clients; c++) await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: `client-${c}` }));
    const now = Date.now();
    const events = Array.from({ length: clients }, (_, c) => batch(now, `client-${c}`));
    const result = await load(clients, clients * batches, (index) =>
      logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: `client-${index % clients}`, logEvents: events[index % clients] })),
    );
    const s = stats(result.latencies, result.seconds);
    return { eventsPerSecond: (clients * batches * batchSize) / result.seconds, p50: s.p50, p99: s.p99, seconds: result.seconds };
  } finally {
    logs.destroy();
  }
}

/** A PutLogEvents request serialized and signed once; a signature stays valid for 15 minutes, whatever sends it. */
async function signedPut(url: string, group: string, stream: string, events: { timestamp: number; message: string }[]) {
  const endpoint = new URL(url);
  const body = JSON.stringify({ logGroupName: group, logStreamName: stream, logEvents: events });
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path: '/',
    headers: { host: endpoint.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.PutLogEvents' },
    body,
  });
  const signer = new SignatureV4({ credentials: benchCredentials, region: 'us-east-1', service: 'logs', sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  const signed = await signer.sign(request);
  const headers = { ...(signed.headers as Record<string, string>), 'content-length': String(Buffer.byteLength(body)) };
  return { headers, body };
}

async function ingestRaw(url: string, group: string, batches: number): Promise<{ eventsPerSecond: number; p50: number; p99: number; seconds: number }> {
  const logs = logsClient(url);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (let c = 0; c < clients; c++) await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: `client-${c}` }));
    const now = Date.now();
    const requests = await Promise.all(Array.from({ length: clients }, (_, c) => signedPut(url, group, `client-${c}`, batch(now, `client-${c}`))));
    const endpoint = new URL(url);
    const send = (index: number) =>
      new Promise<void>((resolve, reject) => {
        const { headers, body } = requests[index % clients] as { headers: Record<string, string>; body: string };
        const req = httpRequest({ host: endpoint.hostname, port: endpoint.port, method: 'POST', path: '/', headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${res.statusCode}: ${Buffer.concat(chunks).toString()}`))));
        });
        req.on('error', reject);
        req.end(body);
      });
    const result = await load(clients, clients * batches, send);
    const s = stats(result.latencies, result.seconds);
    return { eventsPerSecond: (clients * batches * batchSize) / result.seconds, p50: s.p50, p99: s.p99, seconds: result.seconds };
  } finally {
    agent.destroy();
    logs.destroy();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function withMoto<T>(work: (url: string) => Promise<T>): Promise<T | undefined> {
  if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status !== 0) return undefined;
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const forget = whenInterrupted(async () => {
    child.kill('SIGKILL');
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    for (let attempt = 0; ; attempt++) {
      try {
        await fetch(url, { method: 'POST' });
        break;
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return await work(url);
  } finally {
    child.kill('SIGKILL');
    forget();
  }
}

async function filterOverMillion(url: string): Promise<void> {
  const logs = logsClient(url);
  try {
    const group = '/bench/filter';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const streams = 10;
    for (let s = 0; s < streams; s++) await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: `s${s}` }));
    const now = Date.now() - 3600_000;
    await load(4, 100, (index) => {
      const events = Array.from({ length: batchSize }, (_, i) => {
        const n = index * batchSize + i;
        return { timestamp: now + Math.floor(n / 1000), message: n % 1000 === 0 ? `ERROR request ${n} failed: upstream timeout` : `INFO request ${n} served in ${n % 97} ms` };
      });
      return logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: `s${index % streams}`, logEvents: events }));
    });
    for (const pattern of ['ERROR timeout', '"upstream timeout"']) {
      const latencies: number[] = [];
      for (let round = 0; round < 3; round++) {
        const t0 = performance.now();
        let found = 0;
        let pages = 0;
        for await (const page of paginateFilterLogEvents({ client: logs }, { logGroupName: group, filterPattern: pattern })) {
          found += page.events?.length ?? 0;
          pages += 1;
        }
        latencies.push(performance.now() - t0);
        if (round === 0) console.log(`  '${pattern}': ${found} events found in ${pages} pages`);
      }
      latencies.sort((a, b) => a - b);
      console.log(`FilterLogEvents '${pattern}' over 1,000,000 events (10 streams), to the last page: median ${fmt(latencies[1] as number, 0)} ms (of 3)`);
    }
  } finally {
    logs.destroy();
  }
}

function storageAlone(synchronous: 'NORMAL' | 'FULL'): void {
  const dir = mkdtempSync(join(tmpdir(), 'berth-log-bench-'));
  try {
    const storage = new SqliteLogStorage(join(dir, 'logs.db'));
    if (synchronous === 'FULL') (storage as unknown as { db: { pragma(text: string): unknown } }).db.pragma('synchronous = FULL');
    storage.createStream('g', 's', 0);
    const t0 = performance.now();
    for (let b = 0; b < 100; b++) {
      storage.append('g', 's', Array.from({ length: batchSize }, (_, i) => ({ timestamp: b * batchSize + i, message: `INFO request ${b * batchSize + i} served in ${i % 97} ms path=/api/items/${i}` })), b);
    }
    const seconds = (performance.now() - t0) / 1000;
    const bytes = storage.diskBytes();
    console.log(`storage alone, synchronous=${synchronous}: 1,000,000 events appended at ${fmt(1_000_000 / seconds, 0)} events/s; ${fmt(bytes / 1_000_000, 0)} bytes on disk per event`);
    if (synchronous === 'NORMAL') {
      const fileBytes = () => statSync(join(dir, 'logs.db')).size;
      storage.compact();
      const before = fileBytes();
      const t1 = performance.now();
      const deleted = storage.expire('g', 500_000);
      const t2 = performance.now();
      storage.compact();
      const t3 = performance.now();
      console.log(`  retention: ${deleted} events expired in ${fmt(t2 - t1, 0)} ms; incremental vacuum ${fmt(t3 - t2, 0)} ms, file ${fmt(before / 1024 / 1024, 1)} → ${fmt(fileBytes() / 1024 / 1024, 1)} MiB`);
    }
    storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  storageAlone('NORMAL');
  storageAlone('FULL');
  const berth = await startBerthProcess();
  try {
    const cpu0 = await berth.cpuSeconds();
    const berthRun = await ingest(berth.url, '/bench/ingest', batchesPerClient);
    const share = ((await berth.cpuSeconds()) - cpu0) / berthRun.seconds;
    console.log(
      `PutLogEvents, ${clients} clients × ${batchesPerClient} batches of ${batchSize}: ${fmt(berthRun.eventsPerSecond, 0)} events/s ` +
        `(p50 ${fmt(berthRun.p50, 0)} ms, p99 ${fmt(berthRun.p99, 0)} ms per batch; server CPU ${fmt(share * 100, 0)}% of one core)`,
    );
    const cpu1 = await berth.cpuSeconds();
    const rawRun = await ingestRaw(berth.url, '/bench/raw', batchesPerClient);
    const rawShare = ((await berth.cpuSeconds()) - cpu1) / rawRun.seconds;
    console.log(
      `PutLogEvents pre-signed, ${clients} clients × ${batchesPerClient} batches of ${batchSize}: ${fmt(rawRun.eventsPerSecond, 0)} events/s ` +
        `(p50 ${fmt(rawRun.p50, 0)} ms, p99 ${fmt(rawRun.p99, 0)} ms per batch; server CPU ${fmt(rawShare * 100, 0)}% of one core)`,
    );
    const moto = await withMoto(async (url) => ({ sdk: await ingest(url, '/bench/ingest', batchesPerClient), raw: await ingestRaw(url, '/bench/raw', batchesPerClient) }));
    if (moto) {
      console.log(`moto_server, the same calls through the SDK: ${fmt(moto.sdk.eventsPerSecond, 0)} events/s; Berth/moto = ${fmt(berthRun.eventsPerSecond / moto.sdk.eventsPerSecond, 2)}×`);
      console.log(`moto_server, the same calls pre-signed: ${fmt(moto.raw.eventsPerSecond, 0)} events/s; Berth/moto = ${fmt(rawRun.eventsPerSecond / moto.raw.eventsPerSecond, 2)}×`);
    } else {
      console.log('moto_server is not installed: no comparison');
    }
    await filterOverMillion(berth.url);
    console.log(`server RSS: ${fmt(await berth.rssMiB(), 0)} MiB`);
  } finally {
    await berth.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
