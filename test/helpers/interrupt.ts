/**
 * Clean-up that survives Ctrl-C: tests and benchmarks register how to undo what they start
 * (containers, child processes), and on SIGINT or SIGTERM every registered teardown runs before the
 * process exits with the signal's status. A teardown is deregistered once its owner has cleaned up
 * by itself (in a `finally`). A second signal exits at once.
 */
type Teardown = () => Promise<unknown> | unknown;

const teardowns = new Set<Teardown>();
/** How long the teardowns may take before the process exits anyway. */
const teardownLimitMs = 60_000;
let installed = false;

function onSignal(signal: NodeJS.Signals): void {
  const status = 128 + (signal === 'SIGINT' ? 2 : 15);
  process.stderr.write(`${signal} received: cleaning up what this process started (a second ${signal} exits at once)\n`);
  for (const other of ['SIGINT', 'SIGTERM'] as const) {
    process.off(other, onSignal);
    process.once(other, () => process.exit(status));
  }
  // The work that was interrupted fails as its processes and containers go: that must not end the
  // process before the clean-up has.
  process.on('uncaughtException', () => undefined);
  process.on('unhandledRejection', () => undefined);
  setTimeout(() => process.exit(status), teardownLimitMs).unref();
  void (async () => {
    // Last started, first undone: an agent goes before the control plane it talks to.
    for (const teardown of [...teardowns].reverse()) {
      try {
        await teardown();
      } catch (error) {
        process.stderr.write(`clean-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  })().finally(() => process.exit(status));
}

/** Runs `teardown` if the process is interrupted; the returned function deregisters it. */
export function whenInterrupted(teardown: Teardown): () => void {
  if (!installed) {
    installed = true;
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  teardowns.add(teardown);
  return () => {
    teardowns.delete(teardown);
  };
}
