/** The simulated runtime of `berth agent --simulate` passes the container runtime conformance suite. */
import { SimulatedRuntime } from '../../src/agent/simulated/simulated-runtime.js';
import { containerRuntimeConformance } from './runtime-conformance.js';

const unpullable = 'registry.invalid/berth-conformance/absent:1';

containerRuntimeConformance('simulated', async () => {
  const runtime = new SimulatedRuntime({ pullable: (reference) => reference !== unpullable });
  const image = 'berth-conformance/busybox:1';
  await runtime.pull(image);
  return {
    runtime,
    image,
    runUntilStopped: ['sleep', 'infinity'],
    exit: async (id, exitCode) => runtime.exit(id, exitCode),
    unpullable,
    importReference: 'berth-conformance/imported:1',
    network: { name: 'berth-conformance', subnet: '10.224.7.0/24' },
    close: async () => undefined,
  };
});
