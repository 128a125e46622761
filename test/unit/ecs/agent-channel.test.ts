import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseFargateHost } from '../../../src/controllers/fargate-capacity.js';
import { checkAgentMessage } from '../../../src/ecs/agent-channel/message-checks.js';

describe('agent channel messages', () => {
  test('well-formed reports and health messages pass', () => {
    const report = { type: 'report', id: 1, report: { taskArn: 'arn', status: 'RUNNING', containers: [{ name: 'a', exitCode: 0, healthStatus: 'HEALTHY' }] } };
    assert.deepEqual(checkAgentMessage(report), report);
    assert.deepEqual(checkAgentMessage({ type: 'health', runtime: { status: 'IMPAIRED', reason: 'down' } }), { type: 'health', runtime: { status: 'IMPAIRED', reason: 'down' } });
  });

  for (const [name, message, pattern] of [
    ['not an object', 5, /JSON object/],
    ['an unknown type', { type: 'boom' }, /unknown message type/],
    ['a report without a task', { type: 'report', id: 1, report: {} }, /taskArn/],
    ['a stop code an agent may not set', { type: 'report', id: 1, report: { taskArn: 'a', stopCode: 'UserInitiated' } }, /stopCode/],
    ['a container without a name', { type: 'report', id: 1, report: { taskArn: 'a', containers: [{}] } }, /containers\[0\]\.name/],
    ['an address without a MAC', { type: 'report', id: 1, report: { taskArn: 'a', networkInterface: { privateIPv4Address: '10.0.0.2' } } }, /macAddress/],
    ['a health status that does not exist', { type: 'health', runtime: { status: 'MEH' } }, /OK or IMPAIRED/],
  ] as const) {
    test(`refuses ${name}`, () => assert.throws(() => checkAgentMessage(message), pattern));
  }
});

describe('FARGATE capacity: choosing a host', () => {
  const host = (key: string, memory: number, usedMemory: number, cpu = 4096, usedCpu = 0) => ({ key, hostId: key, cpu, memory, usedCpu, usedMemory });

  test('the host with the most free memory that fits', () => {
    const hosts = [host('a', 4096, 3000), host('b', 4096, 1000), host('c', 8192, 7900)];
    assert.equal(chooseFargateHost(hosts, { cpu: '256', memory: '512' })?.key, 'b');
  });

  test('none when nothing fits, by memory or by CPU', () => {
    assert.equal(chooseFargateHost([host('a', 1024, 800)], { cpu: '256', memory: '512' }), undefined);
    assert.equal(chooseFargateHost([host('a', 8192, 0, 1024, 1000)], { cpu: '256', memory: '512' }), undefined);
  });
});
