/** ECR's rules for repository tags: keys of 1–128 characters, values of 0–256, at most 50 per repository. */
import type { RepositoryRecord } from '../store/registry.js';
import { invalidTagParameter, tooManyTags } from './errors.js';

export type RepositoryTag = RepositoryRecord['tags'][number];

export const maxTags = 50;

function checkTag(tag: { Key?: string | undefined; Value?: string | undefined }, at: string): RepositoryTag {
  const { Key: key, Value: value } = tag;
  if (key === undefined) throw invalidTagParameter(`${at}.Key is required`);
  if (key.length < 1 || key.length > 128) throw invalidTagParameter(`${at}.Key '${key}' must be 1 to 128 characters long`);
  if (/^aws:/i.test(key)) throw invalidTagParameter(`${at}.Key '${key}' uses the prefix 'aws:', which is reserved for AWS use`);
  if (value === undefined) throw invalidTagParameter(`${at}.Value is required; pass an empty string for a tag without a value`);
  if (value.length > 256) throw invalidTagParameter(`${at}.Value must be at most 256 characters long; it has ${value.length}`);
  return { Key: key, Value: value };
}

/** Tags of a request: each valid, no key twice. */
export function checkTags(tags: { Key?: string | undefined; Value?: string | undefined }[] | undefined, field = 'tags'): RepositoryTag[] {
  if (tags === undefined) return [];
  const seen = new Set<string>();
  return tags.map((tag, index) => {
    const checked = checkTag(tag, `${field}[${index}]`);
    if (seen.has(checked.Key)) throw invalidTagParameter(`${field} has the key '${checked.Key}' more than once; give each key once`);
    seen.add(checked.Key);
    return checked;
  });
}

/** Adds or replaces tags by key, keeping the order keys first appeared in; refuses more than 50. */
export function mergeTags(repositoryName: string, existing: RepositoryTag[], added: RepositoryTag[]): RepositoryTag[] {
  const byKey = new Map(existing.map((tag) => [tag.Key, tag]));
  for (const tag of added) byKey.set(tag.Key, tag);
  if (byKey.size > maxTags) throw tooManyTags(repositoryName, byKey.size);
  return [...byKey.values()];
}
