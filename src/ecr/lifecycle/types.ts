/**
 * The words of ECR lifecycle policies: a policy and its rules, as parsed from the policy JSON.
 * Types only, so parsing (policy.ts, parse-rule.ts, tag-filter.ts) and evaluation share them
 * without importing one another.
 */
export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: {
    tagStatus: 'tagged' | 'untagged' | 'any';
    tagPrefixList?: string[];
    tagPatternList?: string[];
    countType: 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled';
    countUnit?: 'days';
    countNumber: number;
  };
  action: { type: 'expire' };
}

export interface LifecyclePolicy {
  rules: LifecycleRule[];
}
