/** Certificate Manager's tables: one row per certificate, and its private key apart, sealed (see ../sealing.ts). */
import type { AcmTables, CertificateRecord, CertificatesTable } from '../contract/acm.js';
import { versionOf } from '../contract/core.js';
import { sealedFor, type Sealer } from '../sealing.js';
import { pageOf, seqAfter } from './paging.js';
import { deleteRow, parse, writeRow, type DocRow, type Statements } from './statements.js';

function certificatesTable(sql: Statements, sealer: Sealer): CertificatesTable {
  return {
    async get(arn) {
      const row = sql.get('SELECT doc, version FROM acm_certificates WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<CertificateRecord>(row);
    },
    async list(accountId, region, page) {
      const rows = sql
        .get('SELECT seq, doc, version FROM acm_certificates WHERE account_id = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?')
        .all(accountId, region, seqAfter(page), page.limit + 1) as (DocRow & { seq: number })[];
      return pageOf(rows, page, parse<CertificateRecord>, (row) => String(row.seq));
    },
    async put(record) {
      writeRow(sql, {
        table: 'acm_certificates',
        kind: 'certificate',
        key: record.arn,
        keyColumns: { arn: record.arn },
        columns: { account_id: record.accountId, region: record.region, doc: JSON.stringify(record) },
        expected: versionOf(record),
      });
    },
    async delete(arn) {
      sql.get('DELETE FROM acm_private_keys WHERE certificate_arn = ?').run(arn);
      deleteRow(sql, { table: 'acm_certificates', kind: 'certificate', key: arn, keyColumns: { arn }, expected: undefined });
    },
    async getPrivateKey(arn) {
      const row = sql.get('SELECT doc FROM acm_private_keys WHERE certificate_arn = ?').get(arn) as { doc: string } | undefined;
      return row && sealer.open(row.doc, sealedFor.certificateKey(arn));
    },
    async putPrivateKey(arn, privateKeyPem) {
      sql
        .get('INSERT INTO acm_private_keys (certificate_arn, doc) VALUES (?, ?) ON CONFLICT DO UPDATE SET doc = excluded.doc')
        .run(arn, sealer.seal(privateKeyPem, sealedFor.certificateKey(arn)));
    },
  };
}

export function acmTables(sql: Statements, sealer: Sealer): AcmTables {
  return { certificates: certificatesTable(sql, sealer) };
}
