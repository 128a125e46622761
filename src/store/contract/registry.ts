/**
 * The registry's records: repositories, the manifests and tags in them, the blobs they may serve,
 * and upload sessions. Blob *content* lives in blob storage (registry/storage); these rows say what
 * exists. A manifest row is only written once every blob and child manifest it references is here,
 * so an image is visible whole or not at all.
 */
import type { Page, PageRequest, Versioned } from './core.js';

export type TagMutability = 'MUTABLE' | 'IMMUTABLE' | 'MUTABLE_WITH_EXCLUSION' | 'IMMUTABLE_WITH_EXCLUSION';

export interface RepositoryRecord extends Versioned {
  arn: string;
  accountId: string;
  region: string;
  name: string;
  registryId: string;
  createdAt: number;
  imageTagMutability: TagMutability;
  imageTagMutabilityExclusionFilters?: { filterType: 'WILDCARD'; filter: string }[];
  scanOnPush: boolean;
  encryptionConfiguration: { encryptionType: string; kmsKey?: string };
  tags: { Key: string; Value: string }[];
  policyText?: string;
  lifecyclePolicyText?: string;
  /** When the policy last ran against the repository's images (GetLifecyclePolicy's lastEvaluatedAt). */
  lifecyclePolicyEvaluatedAt?: number;
  lifecyclePreview?: LifecyclePreviewRecord;
}

/** The outcome of StartLifecyclePolicyPreview: what the policy would expire at the time it ran. */
export interface LifecyclePreviewRecord {
  policyText: string;
  ranAt: number;
  results: { imageDigest: string; imageTags: string[]; imagePushedAt: number; rulePriority: number }[];
}

export interface BlobRecord {
  digest: string;
  size: number;
  createdAt: number;
  /** Last time a push uploaded, mounted or asked about the blob: garbage collection spares it for a grace period after. */
  touchedAt: number;
}

/** What a manifest refers to: blobs (config and layers) or, for an index, other manifests. */
export interface ManifestReference {
  digest: string;
  kind: 'blob' | 'manifest';
}

export interface ManifestRecord {
  repositoryArn: string;
  digest: string;
  mediaType: string;
  artifactType?: string;
  /** The digest of the manifest this one refers to (OCI 1.1 `subject`), for the referrers API. */
  subject?: string;
  annotations?: Record<string, string>;
  /** Bytes of the manifest itself. */
  size: number;
  /** Bytes of the layers (ECR's imageSizeInBytes); an index counts its children's layers. */
  imageSize: number;
  pushedAt: number;
  lastPulledAt?: number;
  references: ManifestReference[];
}

export interface UploadRecord {
  id: string;
  repositoryArn: string;
  startedAt: number;
}

export interface RepositoryQuery {
  accountId: string;
  region: string;
}

export interface RegistryTable {
  getRepository(arn: string): Promise<RepositoryRecord | undefined>;
  findRepository(accountId: string, region: string, name: string): Promise<RepositoryRecord | undefined>;
  putRepository(record: RepositoryRecord): Promise<void>;
  /** Removes a repository with its manifests, tags, blob links and uploads (blobs stay for garbage collection). */
  deleteRepository(arn: string, expectedVersion?: number): Promise<void>;
  /** Repositories of an account and region, by name. */
  listRepositories(query: RepositoryQuery, page: PageRequest): Promise<Page<RepositoryRecord>>;
  /** ARNs of every repository, in any account, that has a lifecycle policy. */
  repositoriesWithLifecyclePolicy(): Promise<string[]>;

  getBlob(digest: string): Promise<BlobRecord | undefined>;
  /** Records a committed blob, or refreshes touchedAt when it is known. */
  putBlob(digest: string, size: number, now: number): Promise<void>;
  touchBlob(digest: string, now: number): Promise<void>;
  /** Lets a repository serve a blob. */
  linkBlob(repositoryArn: string, digest: string, now: number): Promise<void>;
  /** The blob when the repository may serve it. */
  linkedBlob(repositoryArn: string, digest: string): Promise<BlobRecord | undefined>;
  unlinkBlob(repositoryArn: string, digest: string): Promise<void>;
  /** Blobs no manifest references and nothing touched since `touchedBefore`. */
  collectableBlobs(touchedBefore: number, limit: number): Promise<string[]>;
  /** Removes a blob's row and every link to it; true when it was there and unreferenced. */
  deleteBlobIfUnreferenced(digest: string, touchedBefore: number): Promise<boolean>;

  getManifest(repositoryArn: string, digest: string): Promise<{ record: ManifestRecord; content: Buffer } | undefined>;
  getManifestRecord(repositoryArn: string, digest: string): Promise<ManifestRecord | undefined>;
  putManifest(record: ManifestRecord, content: Buffer): Promise<void>;
  /** Removes a manifest and its tags. */
  deleteManifest(repositoryArn: string, digest: string): Promise<void>;
  /** Every manifest of a repository, oldest push first. */
  listManifests(repositoryArn: string): Promise<ManifestRecord[]>;
  /** Manifests of the repository that reference `digest` as a child manifest (an index holding it). */
  parentsOf(repositoryArn: string, digest: string): Promise<string[]>;
  /** Manifests whose subject is `digest`. */
  referrers(repositoryArn: string, digest: string): Promise<ManifestRecord[]>;
  recordPull(repositoryArn: string, digest: string, now: number): Promise<void>;

  /** The digest a tag points at. */
  getTag(repositoryArn: string, tag: string): Promise<string | undefined>;
  putTag(repositoryArn: string, tag: string, digest: string, now: number): Promise<void>;
  deleteTag(repositoryArn: string, tag: string): Promise<void>;
  /** Tags in lexical order after `last`, at most `limit` (all when undefined). */
  listTags(repositoryArn: string, after: string | undefined, limit: number | undefined): Promise<string[]>;
  /** Every tag of the repository, by the digest it points at. */
  tagsByDigest(repositoryArn: string): Promise<Map<string, string[]>>;

  /** Repository names of an account and region in lexical order after `last`. */
  catalog(query: RepositoryQuery, after: string | undefined, limit: number | undefined): Promise<string[]>;

  getUpload(id: string): Promise<UploadRecord | undefined>;
  putUpload(record: UploadRecord): Promise<void>;
  deleteUpload(id: string): Promise<void>;
  /** Uploads started before `startedBefore`, in any repository. */
  staleUploads(startedBefore: number): Promise<UploadRecord[]>;
  /** What an account's repositories hold: the bytes of the distinct blobs they link and of their manifests, and the ids of their uploads. */
  accountUsage(accountId: string): Promise<{ blobBytes: number; manifestBytes: number; uploadIds: string[] }>;

  /** Small installation-wide values (the registry token signing key). */
  getSetting(key: string): Promise<string | undefined>;
  putSetting(key: string, value: string): Promise<void>;
}

export interface RegistryTables {
  registry: RegistryTable;
}
