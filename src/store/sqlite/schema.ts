/** Schema migrations, applied in order; the applied version lives in PRAGMA user_version. */
import { changeLogMigration, changeTriggersOf } from './change-log.js';

export const migrations: string[] = [
  `
  CREATE TABLE credentials (
    access_key_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    is_root INTEGER NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE TABLE clusters (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX clusters_scope ON clusters (account_id, region, seq);
  CREATE TABLE task_definitions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    family TEXT NOT NULL,
    revision INTEGER NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX task_definitions_family ON task_definitions (account_id, region, family, revision);
  -- Revision numbers are never reused, even after DeleteTaskDefinitions removes the row.
  CREATE TABLE task_definition_families (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    family TEXT NOT NULL,
    last_revision INTEGER NOT NULL,
    PRIMARY KEY (account_id, region, family)
  );
  CREATE TABLE container_instances (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    cluster_arn TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX container_instances_cluster ON container_instances (cluster_arn, seq);
  CREATE TABLE tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    cluster_arn TEXT NOT NULL,
    family TEXT NOT NULL,
    started_by TEXT,
    grp TEXT,
    service_name TEXT,
    desired_status TEXT NOT NULL,
    last_status TEXT NOT NULL,
    container_instance_arn TEXT,
    launch_type TEXT,
    doc TEXT NOT NULL
  );
  CREATE INDEX tasks_cluster ON tasks (cluster_arn, seq);
  CREATE INDEX tasks_cluster_status ON tasks (cluster_arn, last_status);
  CREATE INDEX tasks_instance ON tasks (container_instance_arn, last_status);
  CREATE INDEX tasks_group ON tasks (cluster_arn, grp, last_status);
  CREATE TABLE account_settings (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    principal_arn TEXT NOT NULL,
    is_default INTEGER NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, region, principal_arn, is_default, name)
  );
  CREATE TABLE idempotency (
    scope_key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at REAL NOT NULL
  );
  `,
  // Tasks are delivered to agents by key: a container instance ARN, or a Fargate capacity host.
  `
  ALTER TABLE tasks ADD COLUMN agent_key TEXT;
  UPDATE tasks SET agent_key = container_instance_arn;
  CREATE INDEX tasks_agent ON tasks (agent_key, last_status);
  CREATE INDEX tasks_unassigned ON tasks (launch_type, last_status) WHERE agent_key IS NULL;
  `,
  // Secrets Manager: a secret's record (with its versions' staging labels) apart from the versions' values.
  `
  CREATE TABLE secrets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    purge_at REAL,
    doc TEXT NOT NULL,
    UNIQUE (account_id, region, name)
  );
  CREATE INDEX secrets_purge ON secrets (purge_at) WHERE purge_at IS NOT NULL;
  CREATE TABLE secret_values (
    secret_arn TEXT NOT NULL REFERENCES secrets (arn) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    version_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (secret_arn, version_id)
  );
  `,
  // The registry: repositories, manifests (content kept here, small and written atomically), tags,
  // and which blobs exist and which repositories may serve them. Blob content lives in blob storage.
  `
  CREATE TABLE ecr_repositories (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (account_id, region, name)
  );
  CREATE TABLE registry_blobs (
    digest TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    created_at REAL NOT NULL,
    touched_at REAL NOT NULL
  );
  CREATE TABLE registry_blob_links (
    repository_arn TEXT NOT NULL REFERENCES ecr_repositories (arn) ON DELETE CASCADE,
    digest TEXT NOT NULL REFERENCES registry_blobs (digest) ON DELETE CASCADE,
    linked_at REAL NOT NULL,
    PRIMARY KEY (repository_arn, digest)
  );
  CREATE TABLE registry_manifests (
    repository_arn TEXT NOT NULL REFERENCES ecr_repositories (arn) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    subject TEXT,
    pushed_at REAL NOT NULL,
    content BLOB NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (repository_arn, digest)
  );
  CREATE INDEX registry_manifests_subject ON registry_manifests (repository_arn, subject) WHERE subject IS NOT NULL;
  CREATE TABLE registry_manifest_refs (
    repository_arn TEXT NOT NULL,
    manifest_digest TEXT NOT NULL,
    digest TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (repository_arn, manifest_digest, digest),
    FOREIGN KEY (repository_arn, manifest_digest) REFERENCES registry_manifests (repository_arn, digest) ON DELETE CASCADE
  );
  CREATE INDEX registry_manifest_refs_digest ON registry_manifest_refs (digest, kind);
  CREATE TABLE registry_tags (
    repository_arn TEXT NOT NULL,
    tag TEXT NOT NULL,
    digest TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (repository_arn, tag),
    FOREIGN KEY (repository_arn, digest) REFERENCES registry_manifests (repository_arn, digest) ON DELETE CASCADE
  );
  CREATE TABLE registry_uploads (
    id TEXT PRIMARY KEY,
    repository_arn TEXT NOT NULL REFERENCES ecr_repositories (arn) ON DELETE CASCADE,
    started_at REAL NOT NULL
  );
  CREATE TABLE registry_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // Services: their records (deployments and events inside), the history of their deployments and
  // revisions, and leases that elect one controller among processes sharing the store. A service's
  // stopped task is flagged until its service has counted the stop, so each stop counts once.
  `
  CREATE TABLE services (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    cluster_arn TEXT NOT NULL,
    status TEXT NOT NULL,
    launch_type TEXT,
    scheduling_strategy TEXT NOT NULL,
    deleted_at REAL,
    doc TEXT NOT NULL
  );
  CREATE INDEX services_cluster ON services (cluster_arn, seq);
  CREATE INDEX services_live ON services (status) WHERE status != 'INACTIVE';
  CREATE TABLE service_deployments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    service_arn TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX service_deployments_service ON service_deployments (service_arn, seq);
  CREATE TABLE service_revisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    service_arn TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at REAL NOT NULL
  );
  ALTER TABLE tasks ADD COLUMN service_stop_unaccounted INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX tasks_unaccounted_stops ON tasks (cluster_arn, grp) WHERE service_stop_unaccounted = 1;
  `,
  // The change feed: record versions and the triggers that log every change (change-log.ts).
  changeLogMigration,
  // Elastic Load Balancing v2. A load balancer's loopback address is unique across accounts: it is
  // what the data plane binds. A rule row lists the target groups its actions forward to, so a
  // target group in use is found without reading every rule.
  `
  CREATE TABLE elb_load_balancers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (account_id, region, name)
  );
  CREATE TABLE elb_target_groups (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (account_id, region, name)
  );
  CREATE TABLE elb_listeners (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    load_balancer_arn TEXT NOT NULL,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX elb_listeners_load_balancer ON elb_listeners (load_balancer_arn, seq);
  CREATE TABLE elb_rules (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    listener_arn TEXT NOT NULL,
    load_balancer_arn TEXT NOT NULL,
    target_groups TEXT NOT NULL,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX elb_rules_listener ON elb_rules (listener_arn, seq);
  CREATE TABLE elb_targets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    target_group_arn TEXT NOT NULL,
    target_id TEXT NOT NULL,
    port INTEGER NOT NULL,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (target_group_arn, target_id, port)
  );
  CREATE TABLE elb_target_health (
    target_group_arn TEXT NOT NULL,
    target_id TEXT NOT NULL,
    port INTEGER NOT NULL,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (target_group_arn, target_id, port)
  );
  ${changeTriggersOf('elbv2')}
  `,
  // IAM: every entity of an account in one table, its name kept in lower case for the key (IAM
  // names are unique regardless of case). Credentials learn whose they are, so an IAM user's
  // access keys are listed and deleted with the user.
  `
  CREATE TABLE iam_entities (
    account_id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (account_id, type, name)
  );
  CREATE INDEX iam_entities_arn ON iam_entities (arn);
  ALTER TABLE credentials ADD COLUMN principal_arn TEXT;
  CREATE INDEX credentials_principal ON credentials (principal_arn);
  ${changeTriggersOf('iam')}
  `,
  // SSM Parameter Store: a parameter's record, and its versions, each sealed whole (values and
  // their metadata) under its account, region, name and version.
  `
  CREATE TABLE ssm_parameters (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (account_id, region, name)
  );
  CREATE TABLE ssm_parameter_versions (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    parameter_version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, region, name, parameter_version)
  );
  ${changeTriggersOf('ssm')}
  `,
  // Certificate Manager: imported certificates, and their private keys apart, sealed.
  `
  CREATE TABLE acm_certificates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX acm_certificates_scope ON acm_certificates (account_id, region, seq);
  CREATE TABLE acm_private_keys (
    certificate_arn TEXT PRIMARY KEY,
    doc TEXT NOT NULL
  );
  ${changeTriggersOf('acm')}
  `,
  // CloudWatch Logs: log groups. Their streams and events live in the log event storage (logs.db).
  `
  CREATE TABLE log_groups (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (account_id, region, name)
  );
  ${changeTriggersOf('logs')}
  `,
  // CloudWatch alarms: the alarms, and their history appended by time (kept when an alarm is deleted).
  `
  CREATE TABLE cw_alarms (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (account_id, region, name)
  );
  CREATE TABLE cw_alarm_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    alarm_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX cw_alarm_history_scope ON cw_alarm_history (account_id, region, at);
  ${changeTriggersOf('alarms')}
  `,
  // CloudWatch alarm actions that are due and not yet delivered (an outbox), by the service that delivers them.
  `
  CREATE TABLE cw_alarm_actions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    service TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX cw_alarm_actions_service ON cw_alarm_actions (service, due_at);
  ${changeTriggersOf('alarmActions')}
  `,
  // Task usage samples (contract/usage.ts): the last two per container of each running task. No
  // change triggers: every running task's row is rewritten each stats interval, which would flood
  // the change feed (and push real changes out of its retained history) for nothing that reacts.
  `
  CREATE TABLE task_usage (
    task_arn TEXT PRIMARY KEY,
    agent_key TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    doc TEXT NOT NULL
  );
  `,
];

/**
 * Tables a reset empties: every resource, and the state that lives beside them (leader leases, so no
 * controller keeps authority from before; registry settings, so the token signing key is new and no
 * registry token or download URL issued before the reset works after it). Credentials survive.
 */
export const resourceTables = [
  'clusters',
  'task_definitions',
  'task_definition_families',
  'container_instances',
  'tasks',
  'account_settings',
  'idempotency',
  'secret_values',
  'secrets',
  'registry_tags',
  'registry_manifest_refs',
  'registry_manifests',
  'registry_blob_links',
  'registry_uploads',
  'ecr_repositories',
  'registry_blobs',
  'services',
  'service_deployments',
  'service_revisions',
  'leases',
  'registry_settings',
  'elb_target_health',
  'elb_targets',
  'elb_rules',
  'elb_listeners',
  'elb_load_balancers',
  'elb_target_groups',
  'iam_entities',
  'ssm_parameter_versions',
  'ssm_parameters',
  'acm_private_keys',
  'acm_certificates',
  'log_groups',
  'cw_alarm_actions',
  'cw_alarm_history',
  'cw_alarms',
  'task_usage',
];
