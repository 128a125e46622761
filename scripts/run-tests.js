// Runs every compiled test file with Node's built-in test runner.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? find(path) : path.endsWith('.test.js') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = find('dist/test').filter((file) => only.length === 0 || only.some((part) => file.includes(part))).sort();
if (files.length === 0) {
  console.error('no test files found under dist/test');
  process.exit(1);
}
// The SDK's notice that its future versions need Node.js 22 would otherwise repeat in every test file's output.
// Berth keeps the key that seals secrets in ~/.config/berth by default: the suite's Berths use a
// config folder of their own, so a test run never writes into the user's.
const configHome = mkdtempSync(join(tmpdir(), 'berth-test-config-'));
const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env, XDG_CONFIG_HOME: configHome };
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files], { stdio: 'inherit', env });
rmSync(configHome, { recursive: true, force: true });
process.exit(result.status ?? 1);
