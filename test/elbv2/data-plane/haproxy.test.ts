import { describe } from 'node:test';
import { createHaproxyDataPlane } from '../../../src/elbv2/data-plane/haproxy/index.js';
import { runtimePaths } from '../../../src/elbv2/data-plane/haproxy/config.js';
import { sendCommand } from '../../../src/elbv2/data-plane/haproxy/runtime-api.js';
import { haproxyCases } from './haproxy-cases.js';

const stateDirs = new WeakMap<object, string>();

describe('the haproxy data plane', () => {
  haproxyCases(
    async (stateDir) => {
      const plane = await createHaproxyDataPlane({ stateDir });
      stateDirs.set(plane, stateDir);
      return plane;
    },
    {
      // The worker's pid: unchanged across target changes proves they were applied without a reload.
      workerPid: async (plane) => {
        const info = await sendCommand(runtimePaths(stateDirs.get(plane)!).adminSocket, 'show info');
        return Number(/^Pid: (\d+)/m.exec(info)?.[1]);
      },
    },
  );
});
