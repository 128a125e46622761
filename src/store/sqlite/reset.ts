/**
 * Reset: the SQL that deletes one account's resources, or the whole installation's.
 *
 * An account's rows are found by their account column or, for tables keyed by ARN alone, by the
 * account in the ARN (`arn_account`, registered on the connection). Blob content is shared between
 * accounts: a blob goes only when no repository of any account links it any more; garbage
 * collection then removes its file. Leases and registry settings belong to the installation and go
 * only with it.
 */
import type { Database } from 'better-sqlite3';
import { Arn } from '../../core/arn.js';
import type { ResetScope } from '../types.js';
import { resourceTables } from './schema.js';

/** Makes `arn_account(arn)` available to the reset's statements on `db`. */
export function registerArnFunctions(db: Database): void {
  db.function('arn_account', { deterministic: true }, (arn: unknown) => (typeof arn === 'string' ? (Arn.parse(arn)?.accountId ?? null) : null));
}

/** Each statement takes the account id as its only parameter, in this order (children first). */
const accountStatements = [
  // An IAM user's access keys go with the user; the account's root credentials stay.
  `DELETE FROM credentials WHERE is_root = 0 AND principal_arn IN (SELECT arn FROM iam_entities WHERE type = 'user' AND account_id = ?)`,
  // Temporary credentials (STS's ASIA… keys, root's sessions included) go with the roles and users they stand for.
  `DELETE FROM credentials WHERE account_id = ? AND access_key_id LIKE 'ASIA%'`,
  `DELETE FROM iam_entities WHERE account_id = ?`,
  `DELETE FROM acm_private_keys WHERE arn_account(certificate_arn) = ?`,
  `DELETE FROM acm_certificates WHERE account_id = ?`,
  `DELETE FROM elb_target_health WHERE arn_account(target_group_arn) = ?`,
  `DELETE FROM elb_targets WHERE arn_account(target_group_arn) = ?`,
  `DELETE FROM elb_rules WHERE arn_account(arn) = ?`,
  `DELETE FROM elb_listeners WHERE arn_account(arn) = ?`,
  `DELETE FROM elb_load_balancers WHERE account_id = ?`,
  `DELETE FROM elb_target_groups WHERE account_id = ?`,
  `DELETE FROM registry_tags WHERE arn_account(repository_arn) = ?`,
  `DELETE FROM registry_manifest_refs WHERE arn_account(repository_arn) = ?`,
  `DELETE FROM registry_manifests WHERE arn_account(repository_arn) = ?`,
  `DELETE FROM registry_blob_links WHERE arn_account(repository_arn) = ?`,
  `DELETE FROM registry_uploads WHERE arn_account(repository_arn) = ?`,
  `DELETE FROM ecr_repositories WHERE account_id = ?`,
  `DELETE FROM cw_alarm_actions WHERE account_id = ?`,
  `DELETE FROM cw_alarm_history WHERE account_id = ?`,
  `DELETE FROM cw_alarms WHERE account_id = ?`,
  `DELETE FROM ssm_parameter_versions WHERE account_id = ?`,
  `DELETE FROM ssm_parameters WHERE account_id = ?`,
  `DELETE FROM log_groups WHERE account_id = ?`,
  `DELETE FROM secret_values WHERE arn_account(secret_arn) = ?`,
  `DELETE FROM secrets WHERE account_id = ?`,
  `DELETE FROM service_deployments WHERE arn_account(service_arn) = ?`,
  `DELETE FROM service_revisions WHERE arn_account(service_arn) = ?`,
  `DELETE FROM services WHERE arn_account(arn) = ?`,
  `DELETE FROM task_usage WHERE arn_account(task_arn) = ?`,
  `DELETE FROM tasks WHERE arn_account(arn) = ?`,
  `DELETE FROM container_instances WHERE arn_account(arn) = ?`,
  `DELETE FROM clusters WHERE account_id = ?`,
  `DELETE FROM task_definitions WHERE account_id = ?`,
  `DELETE FROM task_definition_families WHERE account_id = ?`,
  `DELETE FROM account_settings WHERE account_id = ?`,
  // Client tokens are kept as `<account>/<region>/<operation>/<token>`.
  `DELETE FROM idempotency WHERE substr(scope_key, 1, instr(scope_key, '/') - 1) = ?`,
];

export function resetIn(db: Database, scope: ResetScope): void {
  db.transaction(() => {
    if (scope.kind === 'installation') {
      db.exec(`DELETE FROM credentials WHERE is_root = 0 AND principal_arn IN (SELECT arn FROM iam_entities WHERE type = 'user')`);
      db.exec(`DELETE FROM credentials WHERE access_key_id LIKE 'ASIA%'`);
      for (const table of resourceTables) db.exec(`DELETE FROM ${table}`);
      return;
    }
    const { accountId } = scope;
    const linked = db
      .prepare(`SELECT DISTINCT digest FROM registry_blob_links WHERE arn_account(repository_arn) = ?`)
      .pluck()
      .all(accountId) as string[];
    for (const statement of accountStatements) db.prepare(statement).run(accountId);
    const unlinked = db.prepare(`DELETE FROM registry_blobs WHERE digest = ? AND NOT EXISTS (SELECT 1 FROM registry_blob_links WHERE digest = ?)`);
    for (const digest of linked) unlinked.run(digest, digest);
  })();
}
