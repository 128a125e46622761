import type { Tag } from '@aws-sdk/client-ecs';
import { invalidParameter } from './validate.js';

/** ECS tag rules: at most 50, key 1–128 and value 0–256 characters, the aws: prefix reserved. */
export function checkTags(tags: Tag[] | undefined, field = 'tags'): Tag[] {
  if (tags === undefined) return [];
  if (tags.length > 50) throw invalidParameter(`${field} can have at most 50 tags; it has ${tags.length}.`);
  const seen = new Set<string>();
  tags.forEach((tag, index) => {
    const key = tag.key;
    if (key === undefined || key.length < 1 || key.length > 128) {
      throw invalidParameter(`${field}[${index}].key must be 1 to 128 characters long.`);
    }
    if ((tag.value ?? '').length > 256) throw invalidParameter(`${field}[${index}].value must be at most 256 characters long.`);
    if (/^aws:/i.test(key)) throw invalidParameter(`${field}[${index}].key '${key}' uses the reserved prefix aws:.`);
    if (/^aws:/i.test(tag.value ?? '')) throw invalidParameter(`${field}[${index}].value uses the reserved prefix aws:.`);
    if (seen.has(key)) throw invalidParameter(`${field} has the key '${key}' more than once.`);
    seen.add(key);
  });
  return tags.map((tag) => ({ key: tag.key, value: tag.value ?? '' }));
}

/** Adds or replaces tags by key, keeping the order of first appearance. */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.key, tag]));
  for (const tag of added) byKey.set(tag.key, tag);
  return [...byKey.values()];
}
