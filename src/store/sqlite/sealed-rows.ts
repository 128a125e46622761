/**
 * Start-up checks of the sealed columns (see ../sealing.ts): values written before Berth sealed
 * them are sealed in place, and one sealed value is opened so that a wrong key fails the start
 * instead of the first request that needs it.
 */
import type { Database } from 'better-sqlite3';
import { Sealer, sealedFor } from '../sealing.js';

interface SealedColumn {
  table: string;
  column: string;
  /** The columns that name the value, in the order `associatedData` takes them. */
  keys: string[];
  associatedData(...keys: string[]): string;
}

const sealedColumns: SealedColumn[] = [
  { table: 'secret_values', column: 'doc', keys: ['secret_arn', 'version_id'], associatedData: (arn, version) => sealedFor.secretValue(arn!, version!) },
  { table: 'credentials', column: 'doc', keys: ['access_key_id'], associatedData: (id) => sealedFor.credential(id!) },
  { table: 'registry_settings', column: 'value', keys: ['key'], associatedData: (key) => sealedFor.registrySetting(key!) },
  {
    table: 'ssm_parameter_versions',
    column: 'doc',
    keys: ['account_id', 'region', 'name', 'parameter_version'],
    associatedData: (account, region, name, version) => sealedFor.ssmParameterVersion(account!, region!, name!, Number(version)),
  },
  { table: 'acm_private_keys', column: 'doc', keys: ['certificate_arn'], associatedData: (arn) => sealedFor.certificateKey(arn!) },
];

const sealedPrefixLike = 'sealed:v1:%';

/** Whether any value in the database is sealed (so a key must already exist somewhere). */
export function holdsSealedValues(db: Database): boolean {
  return sealedColumns.some(({ table, column }) => db.prepare(`SELECT 1 FROM ${table} WHERE ${column} LIKE ? LIMIT 1`).get(sealedPrefixLike) !== undefined);
}

/** Opens one sealed value of each kind; throws SealedValueError when `sealer` holds another key. */
export function checkSealingKey(db: Database, sealer: Sealer): void {
  for (const { table, column, keys, associatedData } of sealedColumns) {
    const row = db.prepare(`SELECT ${[column, ...keys].join(', ')} FROM ${table} WHERE ${column} LIKE ? LIMIT 1`).get(sealedPrefixLike) as Record<string, string> | undefined;
    if (row) sealer.open(row[column]!, associatedData(...keys.map((key) => row[key]!)));
  }
}

/**
 * Seals every value still in plain text, in one transaction. Returns how many it sealed. The plain
 * pages are overwritten (secure_delete) and the log checkpointed, so the old text does not linger
 * in the files.
 */
export function sealPlainValues(db: Database, sealer: Sealer): number {
  let sealed = 0;
  db.pragma('secure_delete = ON');
  try {
    db.transaction(() => {
      for (const { table, column, keys, associatedData } of sealedColumns) {
        const rows = db.prepare(`SELECT rowid AS id, ${[column, ...keys].join(', ')} FROM ${table} WHERE ${column} NOT LIKE ?`).all(sealedPrefixLike) as Record<string, string>[];
        const update = db.prepare(`UPDATE ${table} SET ${column} = ? WHERE rowid = ?`);
        for (const row of rows) {
          update.run(sealer.seal(row[column]!, associatedData(...keys.map((key) => row[key]!))), row.id);
          sealed += 1;
        }
      }
    })();
    if (sealed > 0) {
      db.exec('VACUUM');
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
  } finally {
    db.pragma('secure_delete = OFF');
  }
  return sealed;
}
