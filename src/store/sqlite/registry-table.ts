/**
 * The registry's tables (see ../contract/registry.ts).
 *
 * Repositories are records like any other: read with their version, written comparing it. Blobs,
 * manifests and tags are not read-modify-written: a manifest is content under its digest, a tag
 * is set to a digest, a blob is touched; their writes are idempotent assignments with nothing to
 * lose, so they only set the next version for the change feed.
 */
import type { BlobRecord, ManifestRecord, RegistryTable, RegistryTables, RepositoryRecord, UploadRecord } from '../contract/registry.js';
import { sealedFor, type Sealer } from '../sealing.js';
import { arnNamedRows } from './named-rows.js';
import type { Statements } from './statements.js';

interface BlobRow {
  digest: string;
  size: number;
  created_at: number;
  touched_at: number;
}

const blobOf = (row: BlobRow): BlobRecord => ({ digest: row.digest, size: row.size, createdAt: row.created_at, touchedAt: row.touched_at });

interface UploadRow {
  id: string;
  repository_arn: string;
  started_at: number;
}

const uploadOf = (row: UploadRow): UploadRecord => ({ id: row.id, repositoryArn: row.repository_arn, startedAt: row.started_at });

/** A blob is referenced while any manifest of any repository names it. */
const unreferenced = `NOT EXISTS (SELECT 1 FROM registry_manifest_refs r WHERE r.digest = registry_blobs.digest AND r.kind = 'blob')`;

/** Registry settings are sealed: the token signing key is one. */
export function registryTable(sql: Statements, sealer: Sealer): RegistryTable {
  const manifestDoc = (record: ManifestRecord) => {
    const { repositoryArn: _repositoryArn, digest: _digest, ...rest } = record;
    return JSON.stringify(rest);
  };
  const manifestOf = (repositoryArn: string, digest: string, doc: string): ManifestRecord => ({
    repositoryArn,
    digest,
    ...(JSON.parse(doc) as Omit<ManifestRecord, 'repositoryArn' | 'digest'>),
  });

  const repositories = arnNamedRows<RepositoryRecord>(sql, 'ecr_repositories', 'repository');

  return {
    getRepository: repositories.get,
    findRepository: repositories.findByName,
    putRepository: repositories.put,
    async deleteRepository(arn, expectedVersion) {
      sql.get('DELETE FROM registry_tags WHERE repository_arn = ?').run(arn);
      sql.get('DELETE FROM registry_manifest_refs WHERE repository_arn = ?').run(arn);
      sql.get('DELETE FROM registry_manifests WHERE repository_arn = ?').run(arn);
      await repositories.delete(arn, expectedVersion);
    },
    listRepositories: (query, page) => repositories.list(query.accountId, query.region, page),
    async repositoriesWithLifecyclePolicy() {
      const rows = sql.get(`SELECT arn FROM ecr_repositories WHERE json_extract(doc, '$.lifecyclePolicyText') IS NOT NULL ORDER BY seq`).all() as { arn: string }[];
      return rows.map((row) => row.arn);
    },

    async getBlob(digest) {
      const row = sql.get('SELECT * FROM registry_blobs WHERE digest = ?').get(digest) as BlobRow | undefined;
      return row && blobOf(row);
    },
    async putBlob(digest, size, now) {
      sql
        .get(
          `INSERT INTO registry_blobs (digest, size, created_at, touched_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (digest) DO UPDATE SET touched_at = MAX(touched_at, excluded.touched_at), version = version + 1`,
        )
        .run(digest, size, now, now);
    },
    async touchBlob(digest, now) {
      sql.get('UPDATE registry_blobs SET touched_at = MAX(touched_at, ?), version = version + 1 WHERE digest = ?').run(now, digest);
    },
    async linkBlob(repositoryArn, digest, now) {
      sql
        .get(
          `INSERT INTO registry_blob_links (repository_arn, digest, linked_at) VALUES (?, ?, ?)
           ON CONFLICT DO UPDATE SET linked_at = excluded.linked_at`,
        )
        .run(repositoryArn, digest, now);
    },
    async linkedBlob(repositoryArn, digest) {
      const row = sql
        .get(
          `SELECT b.* FROM registry_blob_links l JOIN registry_blobs b ON b.digest = l.digest
           WHERE l.repository_arn = ? AND l.digest = ?`,
        )
        .get(repositoryArn, digest) as BlobRow | undefined;
      return row && blobOf(row);
    },
    async unlinkBlob(repositoryArn, digest) {
      sql.get('DELETE FROM registry_blob_links WHERE repository_arn = ? AND digest = ?').run(repositoryArn, digest);
    },
    async collectableBlobs(touchedBefore, limit) {
      const rows = sql
        .get(`SELECT digest FROM registry_blobs WHERE touched_at < ? AND ${unreferenced} ORDER BY touched_at LIMIT ?`)
        .all(touchedBefore, limit) as { digest: string }[];
      return rows.map((row) => row.digest);
    },
    async deleteBlobIfUnreferenced(digest, touchedBefore) {
      const result = sql.get(`DELETE FROM registry_blobs WHERE digest = ? AND touched_at < ? AND ${unreferenced}`).run(digest, touchedBefore);
      return result.changes > 0;
    },

    async getManifest(repositoryArn, digest) {
      const row = sql.get('SELECT content, doc FROM registry_manifests WHERE repository_arn = ? AND digest = ?').get(repositoryArn, digest) as
        | { content: Buffer; doc: string }
        | undefined;
      return row && { record: manifestOf(repositoryArn, digest, row.doc), content: row.content };
    },
    async getManifestRecord(repositoryArn, digest) {
      const row = sql.get('SELECT doc FROM registry_manifests WHERE repository_arn = ? AND digest = ?').get(repositoryArn, digest) as { doc: string } | undefined;
      return row && manifestOf(repositoryArn, digest, row.doc);
    },
    async putManifest(record, content) {
      sql
        .get(
          `INSERT INTO registry_manifests (repository_arn, digest, subject, pushed_at, content, doc) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT DO UPDATE SET pushed_at = excluded.pushed_at, doc = excluded.doc, version = version + 1`,
        )
        .run(record.repositoryArn, record.digest, record.subject ?? null, record.pushedAt, content, manifestDoc(record));
      const addRef = sql.get('INSERT OR IGNORE INTO registry_manifest_refs (repository_arn, manifest_digest, digest, kind) VALUES (?, ?, ?, ?)');
      for (const reference of record.references) addRef.run(record.repositoryArn, record.digest, reference.digest, reference.kind);
    },
    async deleteManifest(repositoryArn, digest) {
      sql.get('DELETE FROM registry_tags WHERE repository_arn = ? AND digest = ?').run(repositoryArn, digest);
      sql.get('DELETE FROM registry_manifest_refs WHERE repository_arn = ? AND manifest_digest = ?').run(repositoryArn, digest);
      sql.get('DELETE FROM registry_manifests WHERE repository_arn = ? AND digest = ?').run(repositoryArn, digest);
    },
    async listManifests(repositoryArn) {
      const rows = sql.get('SELECT digest, doc FROM registry_manifests WHERE repository_arn = ? ORDER BY pushed_at, rowid').all(repositoryArn) as
        { doc: string; digest: string }[];
      return rows.map((row) => manifestOf(repositoryArn, row.digest, row.doc));
    },
    async parentsOf(repositoryArn, digest) {
      const rows = sql
        .get(`SELECT manifest_digest FROM registry_manifest_refs WHERE repository_arn = ? AND digest = ? AND kind = 'manifest'`)
        .all(repositoryArn, digest) as { manifest_digest: string }[];
      return rows.map((row) => row.manifest_digest);
    },
    async referrers(repositoryArn, digest) {
      const rows = sql.get('SELECT digest, doc FROM registry_manifests WHERE repository_arn = ? AND subject = ? ORDER BY pushed_at, rowid').all(
        repositoryArn,
        digest,
      ) as { doc: string; digest: string }[];
      return rows.map((row) => manifestOf(repositoryArn, row.digest, row.doc));
    },
    async recordPull(repositoryArn, digest, now) {
      sql
        .get(`UPDATE registry_manifests SET doc = json_set(doc, '$.lastPulledAt', ?), version = version + 1 WHERE repository_arn = ? AND digest = ?`)
        .run(now, repositoryArn, digest);
    },

    async getTag(repositoryArn, tag) {
      const row = sql.get('SELECT digest FROM registry_tags WHERE repository_arn = ? AND tag = ?').get(repositoryArn, tag) as { digest: string } | undefined;
      return row?.digest;
    },
    async putTag(repositoryArn, tag, digest, now) {
      sql
        .get(
          `INSERT INTO registry_tags (repository_arn, tag, digest, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at, version = version + 1`,
        )
        .run(repositoryArn, tag, digest, now);
    },
    async deleteTag(repositoryArn, tag) {
      sql.get('DELETE FROM registry_tags WHERE repository_arn = ? AND tag = ?').run(repositoryArn, tag);
    },
    async listTags(repositoryArn, after, limit) {
      const rows = sql
        .get('SELECT tag FROM registry_tags WHERE repository_arn = ? AND tag > ? ORDER BY tag LIMIT ?')
        .all(repositoryArn, after ?? '', limit ?? -1) as { tag: string }[];
      return rows.map((row) => row.tag);
    },
    async tagsByDigest(repositoryArn) {
      const rows = sql.get('SELECT tag, digest FROM registry_tags WHERE repository_arn = ? ORDER BY updated_at DESC, tag').all(repositoryArn) as {
        tag: string;
        digest: string;
      }[];
      const byDigest = new Map<string, string[]>();
      for (const row of rows) byDigest.set(row.digest, [...(byDigest.get(row.digest) ?? []), row.tag]);
      return byDigest;
    },

    async catalog(query, after, limit) {
      const rows = sql
        .get('SELECT name FROM ecr_repositories WHERE account_id = ? AND region = ? AND name > ? ORDER BY name LIMIT ?')
        .all(query.accountId, query.region, after ?? '', limit ?? -1) as { name: string }[];
      return rows.map((row) => row.name);
    },

    async getUpload(id) {
      const row = sql.get('SELECT * FROM registry_uploads WHERE id = ?').get(id) as UploadRow | undefined;
      return row && uploadOf(row);
    },
    async putUpload(record) {
      sql.get('INSERT OR REPLACE INTO registry_uploads (id, repository_arn, started_at) VALUES (?, ?, ?)').run(record.id, record.repositoryArn, record.startedAt);
    },
    async deleteUpload(id) {
      sql.get('DELETE FROM registry_uploads WHERE id = ?').run(id);
    },
    async staleUploads(startedBefore) {
      const rows = sql.get('SELECT * FROM registry_uploads WHERE started_at < ?').all(startedBefore) as UploadRow[];
      return rows.map(uploadOf);
    },

    async accountUsage(accountId) {
      // A blob linked by several of the account's repositories counts once.
      const blobs = sql
        .get(
          `SELECT COALESCE(SUM(size), 0) AS bytes FROM registry_blobs WHERE digest IN (
             SELECT l.digest FROM registry_blob_links l JOIN ecr_repositories r ON r.arn = l.repository_arn WHERE r.account_id = ?)`,
        )
        .get(accountId) as { bytes: number };
      const manifests = sql
        .get(
          `SELECT COALESCE(SUM(length(m.content)), 0) AS bytes FROM registry_manifests m JOIN ecr_repositories r ON r.arn = m.repository_arn
           WHERE r.account_id = ?`,
        )
        .get(accountId) as { bytes: number };
      const uploads = sql
        .get('SELECT u.id FROM registry_uploads u JOIN ecr_repositories r ON r.arn = u.repository_arn WHERE r.account_id = ?')
        .all(accountId) as { id: string }[];
      return { blobBytes: blobs.bytes, manifestBytes: manifests.bytes, uploadIds: uploads.map((row) => row.id) };
    },

    async getSetting(key) {
      const row = sql.get('SELECT value FROM registry_settings WHERE key = ?').get(key) as { value: string } | undefined;
      return row && sealer.open(row.value, sealedFor.registrySetting(key));
    },
    async putSetting(key, value) {
      sql.get('INSERT INTO registry_settings (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value').run(key, sealer.seal(value, sealedFor.registrySetting(key)));
    },
  };
}

export function registryTables(sql: Statements, sealer: Sealer): RegistryTables {
  return { registry: registryTable(sql, sealer) };
}
