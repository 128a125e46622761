/**
 * ECR's lifecycle evaluation. Each rule picks images by their tags and marks those beyond its count
 * (the newest `countNumber` by push time stay) or older than its age, counting every image it picks
 * as if no rule had expired anything. Rules then apply lowest rulePriority first: an image picked by
 * an earlier rule's tags is never expired by a later rule, whether or not the earlier rule expired
 * it, so each image is expired by at most one rule.
 */
import type { LifecyclePolicy, LifecycleRule } from './types.js';
import { selectsTags } from './tag-filter.js';

export interface LifecycleImage {
  imageDigest: string;
  imageTags: string[];
  imagePushedAt: number /* epoch seconds */;
  lastRecordedPullTime?: number /* epoch seconds */;
}

export interface ExpiringImage {
  imageDigest: string;
  imageTags: string[];
  imagePushedAt: number;
  rulePriority: number;
}

const secondsPerDay = 86_400;

// Equal push times fall back to digest order so that results never depend on input order.
const byDigest = (a: LifecycleImage, b: LifecycleImage) => (a.imageDigest < b.imageDigest ? -1 : a.imageDigest > b.imageDigest ? 1 : 0);
const newestFirst = (a: LifecycleImage, b: LifecycleImage) => b.imagePushedAt - a.imagePushedAt || byDigest(a, b);
const oldestFirst = (a: LifecycleImage, b: LifecycleImage) => a.imagePushedAt - b.imagePushedAt || byDigest(a, b);

/** The picked images the rule would expire were it the only rule. */
function marked(selection: LifecycleRule['selection'], picked: readonly LifecycleImage[], now: number): LifecycleImage[] {
  const olderThanLimit = (since: number) => now - since > selection.countNumber * secondsPerDay;
  switch (selection.countType) {
    case 'imageCountMoreThan':
      return [...picked].sort(newestFirst).slice(selection.countNumber);
    case 'sinceImagePushed':
      return picked.filter((image) => olderThanLimit(image.imagePushedAt));
    case 'sinceImagePulled':
      // An image never pulled counts from its push.
      return picked.filter((image) => olderThanLimit(image.lastRecordedPullTime ?? image.imagePushedAt));
  }
}

/** The images the policy expires at `now` (epoch seconds), each with the rule that expires it, oldest push first. */
export function evaluateLifecyclePolicy(policy: LifecyclePolicy, images: readonly LifecycleImage[], now: number): ExpiringImage[] {
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const pickedEarlier = new Set<string>();
  const expiring: ExpiringImage[] = [];
  for (const rule of rules) {
    const picked = images.filter((image) => selectsTags(rule.selection, image.imageTags));
    for (const image of marked(rule.selection, picked, now)) {
      if (pickedEarlier.has(image.imageDigest)) continue;
      const { imageDigest, imageTags, imagePushedAt } = image;
      expiring.push({ imageDigest, imageTags: [...imageTags], imagePushedAt, rulePriority: rule.rulePriority });
    }
    for (const image of picked) pickedEarlier.add(image.imageDigest);
  }
  return expiring.sort(oldestFirst);
}
