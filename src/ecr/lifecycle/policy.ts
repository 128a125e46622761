/**
 * ECR lifecycle policies: the JSON a repository's PutLifecyclePolicy and StartLifecyclePolicyPreview
 * take, checked as ECR checks it. Beyond each rule's own fields (see parse-rule.ts), the rules of a
 * policy must have distinct priorities, only the rule with the highest priority may select `any`,
 * only one rule may select `untagged`, and no two rules may list the same set of tag prefixes (or
 * patterns). A policy has 1 to 50 rules, in 100 to 30,720 characters.
 */
import { InvalidPolicy, objectAt, parseRule } from './parse-rule.js';
import type { LifecyclePolicy, LifecycleRule } from './types.js';

export const minPolicyLength = 100;
export const maxPolicyLength = 30720;
export const maxRules = 50;

/** ECR wraps every policy failure in this sentence. */
function failure(detail: string): { error: string } {
  return { error: `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${detail}'` };
}

function checkPriorities(rules: readonly LifecycleRule[]): void {
  const highest = Math.max(...rules.map((rule) => rule.rulePriority));
  rules.forEach((rule, index) => {
    const earlier = rules.findIndex((other) => other.rulePriority === rule.rulePriority);
    if (earlier !== index) throw new InvalidPolicy(`rules[${index}].rulePriority ${rule.rulePriority} is already used by rules[${earlier}]`);
    if (rule.selection.tagStatus === 'any' && rule.rulePriority !== highest) {
      throw new InvalidPolicy(`rules[${index}] selects tagStatus any, so its rulePriority must be the highest in the policy (${highest} is higher)`);
    }
  });
}

function checkUntagged(rules: readonly LifecycleRule[]): void {
  const untagged = rules.flatMap((rule, index) => (rule.selection.tagStatus === 'untagged' ? [index] : []));
  if (untagged.length > 1) throw new InvalidPolicy(`rules[${untagged[1]}] selects untagged images, as rules[${untagged[0]}] does; only one rule may`);
}

/** A rule listing the same prefixes as an earlier one could never expire anything. */
function checkDistinctTagLists(rules: readonly LifecycleRule[]): void {
  const seen = new Map<string, number>();
  rules.forEach((rule, index) => {
    const { tagPrefixList, tagPatternList } = rule.selection;
    const field = tagPatternList !== undefined ? 'tagPatternList' : 'tagPrefixList';
    const list = tagPatternList ?? tagPrefixList;
    if (list === undefined) return;
    const key = JSON.stringify([field, [...new Set(list)].sort()]);
    const earlier = seen.get(key);
    if (earlier !== undefined) throw new InvalidPolicy(`rules[${index}].selection.${field} repeats the ${field} of rules[${earlier}]`);
    seen.set(key, index);
  });
}

/** Parses and validates lifecycle policy JSON text as ECR does; returns the policy, or a message naming the offending field (ECR answers it as InvalidParameterException). */
export function parseLifecyclePolicy(text: string): LifecyclePolicy | { error: string } {
  const length = [...text].length;
  if (length < minPolicyLength || length > maxPolicyLength) {
    return failure(`lifecyclePolicyText must be ${minPolicyLength} to ${maxPolicyLength} characters long, not ${length}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return failure(`lifecyclePolicyText is not valid JSON: ${(error as Error).message}`);
  }
  try {
    const policy = objectAt(document, 'the policy', ['rules']);
    if (policy.rules === undefined) throw new InvalidPolicy('rules is required');
    if (!Array.isArray(policy.rules)) throw new InvalidPolicy('rules must be a list of rules');
    if (policy.rules.length < 1 || policy.rules.length > maxRules) throw new InvalidPolicy(`rules must hold 1 to ${maxRules} rules, not ${policy.rules.length}`);
    const rules = policy.rules.map((rule: unknown, index) => parseRule(rule, `rules[${index}]`));
    checkPriorities(rules);
    checkUntagged(rules);
    checkDistinctTagLists(rules);
    return { rules };
  } catch (error) {
    if (error instanceof InvalidPolicy) return failure(error.message);
    throw error;
  }
}
