import { readFileSync } from 'node:fs';

/** Berth's version, from package.json (two levels up from dist/src). */
export const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
