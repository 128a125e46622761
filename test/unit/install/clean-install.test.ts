/**
 * `npm ci` on a fresh clone prints no warning. The two warnings it can print come from the lockfile:
 * a package whose `engines.node` excludes a Node.js version Berth supports (EBADENGINE), and a
 * package with install scripts that package.json's `allowScripts` neither approves nor denies.
 * Both are checked here from package-lock.json, so the test needs neither the network nor an install.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
  hasInstallScript?: boolean;
}

const root = process.cwd();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };

/** "node_modules/a/node_modules/@scope/b" → "@scope/b". */
function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

const dependencies = Object.entries(lock.packages).filter(([path]) => path !== '');

test('every locked package accepts the oldest Node.js version Berth supports, and the one running', () => {
  const oldest = semver.minVersion(manifest.engines.node);
  assert.ok(oldest, `package.json engines.node '${manifest.engines.node}' has no minimum version`);
  const excluding: string[] = [];
  for (const [path, locked] of dependencies) {
    const range = Array.isArray(locked.engines) ? undefined : locked.engines?.node;
    if (range === undefined) continue;
    for (const version of [oldest.version, process.versions.node]) {
      if (!semver.satisfies(version, range)) excluding.push(`${nameOf(path)}@${locked.version} requires node ${range}, excluding ${version}`);
    }
  }
  assert.deepEqual(excluding, []);
});

test('every locked package with install scripts is approved or denied in allowScripts', () => {
  const reviewed = new Set(Object.keys(manifest.allowScripts ?? {}).map((key) => key.replace(/(.)@.*$/, '$1')));
  const unreviewed = dependencies
    .filter(([, locked]) => locked.hasInstallScript)
    .map(([path, locked]) => `${nameOf(path)}@${locked.version}`)
    .filter((id) => !reviewed.has(id.replace(/(.)@.*$/, '$1')));
  assert.deepEqual(unreviewed, []);
});
