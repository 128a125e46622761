import assert from 'node:assert/strict';

/** Asserts that a call fails with the AWS error `name`, and that its message matches `message` when given. */
export async function rejects(promise: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    if (message) assert.match(error.message, message);
    assert.ok((error.$metadata?.httpStatusCode ?? 0) < 500, 'client errors are never 5xx');
    return true;
  });
}
