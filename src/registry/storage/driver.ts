/**
 * Where blob content lives. One interface for every backend (the local filesystem now, S3-compatible
 * object storage later), and one conformance suite (test/registry/storage-conformance.ts) that every
 * driver must pass.
 *
 * Content reaches storage only through an upload: bytes are appended under an upload id and become
 * a blob only when `commit` moves them into place, after the caller verified their digest. A blob
 * is therefore never visible partly written, and a blob already stored is never overwritten.
 */
import type { Readable } from 'node:stream';

/** Inclusive byte positions, as HTTP Range headers count them. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobStorage {
  /** Size in bytes of a stored blob, or undefined when there is none. */
  stat(digest: string): Promise<number | undefined>;
  /** The blob's bytes, or those of `range`; fails when the blob is not stored. */
  read(digest: string, range?: ByteRange): Promise<Readable>;
  /** Removes a blob; removing one that is not there is not an error. */
  delete(digest: string): Promise<void>;
  /** The digest of every stored blob. */
  list(): AsyncIterable<string>;

  createUpload(id: string): Promise<void>;
  /** Bytes received so far, or undefined when there is no such upload. */
  uploadSize(id: string): Promise<number | undefined>;
  /**
   * Appends `source` to the upload, passing each chunk to `observe` on its way. Bytes
   * written before `source` fails stay, so a client can resume after a dropped connection. Answers
   * the upload's size after the append.
   */
  append(id: string, source: Readable, observe?: (chunk: Buffer) => void): Promise<number>;
  /** The bytes of an upload, for hashing again after a restart. */
  readUpload(id: string): Promise<Readable>;
  /** Makes the upload the blob `digest` and ends the upload. When the blob exists already, it is kept as it is. */
  commit(id: string, digest: string): Promise<void>;
  /** Ends an upload and drops its bytes; ending one that is not there is not an error. */
  abort(id: string): Promise<void>;
  /** Ids of every upload with content in storage. */
  listUploads(): AsyncIterable<string>;
}
