import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemBlobStorage } from '../../src/registry/storage/filesystem.js';
import { blobStorageConformance } from './storage-conformance.js';

blobStorageConformance('filesystem', async () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-blobs-'));
  return { storage: new FilesystemBlobStorage(root), close: async () => rmSync(root, { recursive: true, force: true }) };
});
