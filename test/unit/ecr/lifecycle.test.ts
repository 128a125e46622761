import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateLifecyclePolicy, type ExpiringImage, type LifecycleImage } from '../../../src/ecr/lifecycle/evaluate.js';
import { parseLifecyclePolicy } from '../../../src/ecr/lifecycle/policy.js';
import type { LifecyclePolicy, LifecycleRule } from '../../../src/ecr/lifecycle/types.js';

const day = 86_400;
const now = 1_750_000_000;

/** Policy text as a client sends it; short documents are padded with trailing spaces to ECR's 100-character minimum. */
const textOf = (document: unknown) => JSON.stringify(document).padEnd(100);
const failure = (detail: string) => ({
  error: `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${detail}'`,
});

function parsed(document: unknown): LifecyclePolicy {
  const result = parseLifecyclePolicy(textOf(document));
  if ('error' in result) assert.fail(result.error);
  return result;
}

const rule = (rulePriority: number, selection: object, extra: object = {}) => ({ rulePriority, selection, action: { type: 'expire' }, ...extra });
const anyCount = { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 };
const untaggedCount = { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 };
const prodCount = { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 };
const olderThan = (days: number) => ({ countType: 'sinceImagePushed', countUnit: 'days', countNumber: days });

function image(name: string, imageTags: string[], pushedDaysAgo: number, pulledDaysAgo?: number): LifecycleImage {
  return {
    imageDigest: `sha256:${name}`,
    imageTags,
    imagePushedAt: now - pushedDaysAgo * day,
    ...(pulledDaysAgo === undefined ? {} : { lastRecordedPullTime: now - pulledDaysAgo * day }),
  };
}

const expiry = ({ imageDigest, imageTags, imagePushedAt }: LifecycleImage, rulePriority: number): ExpiringImage => ({
  imageDigest,
  imageTags,
  imagePushedAt,
  rulePriority,
});

const expire = (document: unknown, images: LifecycleImage[]) => evaluateLifecyclePolicy(parsed(document), images, now);

describe('lifecycle policy text', () => {
  it('must be 100 to 30720 characters long', () => {
    assert.deepEqual(parseLifecyclePolicy('{"rules":[]}'), failure('lifecyclePolicyText must be 100 to 30720 characters long, not 12'));
    assert.deepEqual(parseLifecyclePolicy(' '.repeat(99)), failure('lifecyclePolicyText must be 100 to 30720 characters long, not 99'));
    const fits = JSON.stringify({ rules: [rule(1, anyCount)] });
    assert.ok(!('error' in parseLifecyclePolicy(fits.padEnd(30720))));
    assert.deepEqual(parseLifecyclePolicy(fits.padEnd(30721)), failure('lifecyclePolicyText must be 100 to 30720 characters long, not 30721'));
  });

  it('must be JSON', () => {
    const result = parseLifecyclePolicy('{"rules": [{"rulePriority": 1,'.padEnd(100));
    assert.ok('error' in result);
    assert.match(result.error, /^Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: lifecyclePolicyText is not valid JSON: /);
  });
});

describe('lifecycle policy validation', () => {
  const fiftyRules = (count: number) => Array.from({ length: count }, (_, index) => rule(index + 1, { ...prodCount, tagPrefixList: [`p${index}`] }));
  const cases: { title: string; document: unknown; detail: string }[] = [
    // The document and its rules
    { title: 'the document is an object', document: [rule(1, anyCount)], detail: 'the policy must be a JSON object' },
    { title: 'unknown top-level fields are named', document: { rules: [rule(1, anyCount)], version: 1 }, detail: 'the policy has unknown field(s): version' },
    { title: 'rules is required', document: {}, detail: 'rules is required' },
    { title: 'rules is a list', document: { rules: rule(1, anyCount) }, detail: 'rules must be a list of rules' },
    { title: 'at least one rule', document: { rules: [] }, detail: 'rules must hold 1 to 50 rules, not 0' },
    { title: 'at most 50 rules', document: { rules: fiftyRules(51) }, detail: 'rules must hold 1 to 50 rules, not 51' },
    { title: 'a rule is an object', document: { rules: [1] }, detail: 'rules[0] must be a JSON object' },
    { title: 'unknown rule fields are named', document: { rules: [rule(1, anyCount, { enabled: true })] }, detail: 'rules[0] has unknown field(s): enabled' },
    {
      title: 'unknown selection fields are named',
      document: { rules: [rule(1, { ...prodCount, tagSuffixList: ['x'], maxAge: 3 })] },
      detail: 'rules[0].selection has unknown field(s): tagSuffixList, maxAge',
    },
    {
      title: 'unknown action fields are named',
      document: { rules: [{ ...rule(1, anyCount), action: { type: 'expire', dryRun: true } }] },
      detail: 'rules[0].action has unknown field(s): dryRun',
    },
    // rulePriority and description
    { title: 'rulePriority is required', document: { rules: [{ selection: anyCount, action: { type: 'expire' } }] }, detail: 'rules[0].rulePriority is required' },
    { title: 'rulePriority 0 is refused', document: { rules: [rule(0, anyCount)] }, detail: 'rules[0].rulePriority must be a positive integer' },
    { title: 'a negative rulePriority is refused', document: { rules: [rule(-1, anyCount)] }, detail: 'rules[0].rulePriority must be a positive integer' },
    { title: 'a fractional rulePriority is refused', document: { rules: [rule(1.5, anyCount)] }, detail: 'rules[0].rulePriority must be a positive integer' },
    {
      title: 'a rulePriority string is refused',
      document: { rules: [{ ...rule(1, anyCount), rulePriority: '1' }] },
      detail: 'rules[0].rulePriority must be a positive integer',
    },
    {
      title: 'a null rulePriority is refused',
      document: { rules: [{ ...rule(1, anyCount), rulePriority: null }] },
      detail: 'rules[0].rulePriority must be a positive integer',
    },
    { title: 'description is a string', document: { rules: [rule(1, anyCount, { description: 5 })] }, detail: 'rules[0].description must be a string' },
    // action
    { title: 'action is required', document: { rules: [{ rulePriority: 1, selection: anyCount }] }, detail: 'rules[0].action is required' },
    { title: 'action.type is required', document: { rules: [{ ...rule(1, anyCount), action: {} }] }, detail: 'rules[0].action.type is required' },
    {
      title: 'action.type is expire',
      document: { rules: [{ ...rule(1, anyCount), action: { type: 'delete' } }] },
      detail: 'rules[0].action.type must be one of expire',
    },
    {
      title: 'action.type transition is refused: Berth has no archive storage',
      document: { rules: [{ ...rule(1, anyCount), action: { type: 'transition', targetStorageClass: 'archive' } }] },
      detail: 'rules[0].action.type transition moves images to archive storage, which Berth does not have; use expire',
    },
    {
      title: 'targetStorageClass only goes with transition',
      document: { rules: [{ ...rule(1, anyCount), action: { type: 'expire', targetStorageClass: 'archive' } }] },
      detail: 'rules[0].action.targetStorageClass is only allowed when rules[0].action.type is transition',
    },
    // selection: tags
    { title: 'selection is required', document: { rules: [{ rulePriority: 1, action: { type: 'expire' } }] }, detail: 'rules[0].selection is required' },
    { title: 'selection is an object', document: { rules: [rule(1, ['any'])] }, detail: 'rules[0].selection must be a JSON object' },
    {
      title: 'tagStatus is required',
      document: { rules: [rule(1, { countType: 'imageCountMoreThan', countNumber: 1 })] },
      detail: 'rules[0].selection.tagStatus is required',
    },
    {
      title: 'tagStatus is lower case',
      document: { rules: [rule(1, { ...anyCount, tagStatus: 'ANY' })] },
      detail: 'rules[0].selection.tagStatus must be one of tagged, untagged, any',
    },
    {
      title: 'tagged needs a prefix or pattern list',
      document: { rules: [rule(1, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 })] },
      detail: 'rules[0].selection.tagStatus tagged needs a tagPrefixList or a tagPatternList',
    },
    {
      title: 'tagged takes a prefix list or a pattern list, not both',
      document: { rules: [rule(1, { ...prodCount, tagPatternList: ['prod*'] })] },
      detail: 'rules[0].selection may have tagPrefixList or tagPatternList, not both',
    },
    {
      title: 'untagged takes no prefix list',
      document: { rules: [rule(1, { ...untaggedCount, tagPrefixList: ['prod'] })] },
      detail: 'rules[0].selection.tagPrefixList is only allowed when rules[0].selection.tagStatus is tagged',
    },
    {
      title: 'any takes no pattern list',
      document: { rules: [rule(1, { ...anyCount, tagPatternList: ['*'] })] },
      detail: 'rules[0].selection.tagPatternList is only allowed when rules[0].selection.tagStatus is tagged',
    },
    {
      title: 'a prefix list is not empty',
      document: { rules: [rule(1, { ...prodCount, tagPrefixList: [] })] },
      detail: 'rules[0].selection.tagPrefixList must be a non-empty list of strings',
    },
    {
      title: 'a prefix list is a list',
      document: { rules: [rule(1, { ...prodCount, tagPrefixList: 'prod' })] },
      detail: 'rules[0].selection.tagPrefixList must be a non-empty list of strings',
    },
    {
      title: 'prefixes are non-empty strings',
      document: { rules: [rule(1, { ...prodCount, tagPrefixList: [''] })] },
      detail: 'rules[0].selection.tagPrefixList[0] must be a non-empty string',
    },
    {
      title: 'patterns are strings',
      document: { rules: [rule(1, { tagStatus: 'tagged', tagPatternList: ['prod*', 7], countType: 'imageCountMoreThan', countNumber: 1 })] },
      detail: 'rules[0].selection.tagPatternList[1] must be a non-empty string',
    },
    {
      title: "AWS's example of a pattern with too many wildcards",
      document: { rules: [rule(1, { tagStatus: 'tagged', tagPatternList: ['test*1*2*3*4*5*6'], countType: 'imageCountMoreThan', countNumber: 1 })] },
      detail: 'rules[0].selection.tagPatternList[0] has more than 4 wildcards (*)',
    },
    {
      title: 'five wildcards are one too many',
      document: { rules: [rule(1, { tagStatus: 'tagged', tagPatternList: ['ok*', '*a*b*c*d*'], countType: 'imageCountMoreThan', countNumber: 1 })] },
      detail: 'rules[0].selection.tagPatternList[1] has more than 4 wildcards (*)',
    },
    // selection: storage class
    {
      title: 'storageClass archive is refused: Berth has no archive storage',
      document: { rules: [rule(1, { ...anyCount, storageClass: 'archive' })] },
      detail: 'rules[0].selection.storageClass archive selects archived images, which Berth does not have',
    },
    {
      title: 'storageClass is standard or archive',
      document: { rules: [rule(1, { ...anyCount, storageClass: 'glacier' })] },
      detail: 'rules[0].selection.storageClass must be one of standard',
    },
    // selection: counting
    { title: 'countType is required', document: { rules: [rule(1, { tagStatus: 'any', countNumber: 1 })] }, detail: 'rules[0].selection.countType is required' },
    {
      title: 'countType is one of ECR’s',
      document: { rules: [rule(1, { ...anyCount, countType: 'imageCountLessThan' })] },
      detail: 'rules[0].selection.countType must be one of imageCountMoreThan, sinceImagePushed, sinceImagePulled, sinceImageTransitioned',
    },
    {
      title: 'sinceImageTransitioned is refused: Berth has no archive storage',
      document: { rules: [rule(1, { tagStatus: 'any', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 })] },
      detail: 'rules[0].selection.countType sinceImageTransitioned counts days in archive storage, which Berth does not have',
    },
    {
      title: 'imageCountMoreThan takes no countUnit',
      document: { rules: [rule(1, { ...anyCount, countUnit: 'days' })] },
      detail: 'rules[0].selection.countUnit is not allowed when rules[0].selection.countType is imageCountMoreThan',
    },
    {
      title: 'sinceImagePushed needs a countUnit',
      document: { rules: [rule(1, { tagStatus: 'any', countType: 'sinceImagePushed', countNumber: 14 })] },
      detail: 'rules[0].selection.countUnit is required',
    },
    {
      title: 'countUnit is days',
      document: { rules: [rule(1, { tagStatus: 'any', ...olderThan(14), countUnit: 'hours' })] },
      detail: 'rules[0].selection.countUnit must be one of days',
    },
    { title: 'countNumber is required', document: { rules: [rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan' })] }, detail: 'rules[0].selection.countNumber is required' },
    { title: 'countNumber 0 is refused', document: { rules: [rule(1, { ...anyCount, countNumber: 0 })] }, detail: 'rules[0].selection.countNumber must be a positive integer' },
    { title: 'a negative countNumber is refused', document: { rules: [rule(1, { ...anyCount, countNumber: -3 })] }, detail: 'rules[0].selection.countNumber must be a positive integer' },
    { title: 'a fractional countNumber is refused', document: { rules: [rule(1, { tagStatus: 'any', ...olderThan(2.5) })] }, detail: 'rules[0].selection.countNumber must be a positive integer' },
    { title: 'a countNumber string is refused', document: { rules: [rule(1, { ...anyCount, countNumber: '5' })] }, detail: 'rules[0].selection.countNumber must be a positive integer' },
    // Across rules
    {
      title: 'a failing rule further down is named by its index',
      document: { rules: [rule(1, prodCount), rule(2, { ...anyCount, countUnit: 'days' })] },
      detail: 'rules[1].selection.countUnit is not allowed when rules[1].selection.countType is imageCountMoreThan',
    },
    {
      title: 'rule priorities are unique',
      document: { rules: [rule(3, prodCount), rule(3, untaggedCount)] },
      detail: 'rules[1].rulePriority 3 is already used by rules[0]',
    },
    {
      title: 'an any rule must have the highest priority',
      document: { rules: [rule(1, anyCount), rule(2, prodCount)] },
      detail: 'rules[0] selects tagStatus any, so its rulePriority must be the highest in the policy (2 is higher)',
    },
    {
      title: 'so there is at most one any rule',
      document: { rules: [rule(1, anyCount), rule(2, { tagStatus: 'any', ...olderThan(30) })] },
      detail: 'rules[0] selects tagStatus any, so its rulePriority must be the highest in the policy (2 is higher)',
    },
    {
      title: 'only one rule selects untagged images',
      document: { rules: [rule(1, untaggedCount), rule(2, { tagStatus: 'untagged', ...olderThan(7) })] },
      detail: 'rules[1] selects untagged images, as rules[0] does; only one rule may',
    },
    {
      title: 'two rules do not list the same prefixes, in any order',
      document: { rules: [rule(1, { ...prodCount, tagPrefixList: ['prod', 'beta'] }), rule(2, { ...prodCount, tagPrefixList: ['beta', 'prod'], countNumber: 5 })] },
      detail: 'rules[1].selection.tagPrefixList repeats the tagPrefixList of rules[0]',
    },
    {
      title: 'two rules do not list the same patterns',
      document: {
        rules: [
          rule(1, { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 3 }),
          rule(2, { tagStatus: 'tagged', tagPatternList: ['v*'], ...olderThan(30) }),
        ],
      },
      detail: 'rules[1].selection.tagPatternList repeats the tagPatternList of rules[0]',
    },
  ];
  for (const { title, document, detail } of cases) {
    it(title, () => assert.deepEqual(parseLifecyclePolicy(textOf(document)), failure(detail)));
  }

  it('takes 50 rules', () => assert.equal(parsed({ rules: fiftyRules(50) }).rules.length, 50));

  it('takes AWS’s example of patterns with four wildcards each', () => {
    const selection = { tagStatus: 'tagged', tagPatternList: ['*test*1*2*3', 'test*1*2*3*'], countType: 'imageCountMoreThan', countNumber: 1 };
    assert.deepEqual(parsed({ rules: [rule(1, selection)] }).rules[0]?.selection.tagPatternList, ['*test*1*2*3', 'test*1*2*3*']);
  });

  it('takes different rules using the same text as a prefix and as a pattern, or overlapping prefix sets', () => {
    const policy = parsed({
      rules: [
        rule(1, prodCount),
        rule(2, { tagStatus: 'tagged', tagPatternList: ['prod'], countType: 'imageCountMoreThan', countNumber: 2 }),
        rule(3, { ...prodCount, tagPrefixList: ['prod', 'beta'] }),
      ],
    });
    assert.equal(policy.rules.length, 3);
  });

  it('takes an any rule written first when its priority is the highest, keeping the rules in document order', () => {
    const policy = parsed({ rules: [rule(9, anyCount), rule(2, prodCount)] });
    assert.deepEqual(
      policy.rules.map((r) => r.rulePriority),
      [9, 2],
    );
  });

  it('returns exactly the policy, without the default storageClass', () => {
    const document = {
      rules: [
        rule(1, { ...prodCount, storageClass: 'standard' }, { description: 'Keep one prod image' }),
        rule(2, { tagStatus: 'any', ...olderThan(30) }),
      ],
    };
    const expected: LifecyclePolicy = {
      rules: [
        {
          rulePriority: 1,
          description: 'Keep one prod image',
          selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 },
          action: { type: 'expire' },
        },
        { rulePriority: 2, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, action: { type: 'expire' } },
      ],
    };
    assert.deepEqual(parsed(document), expected);
  });

  describe('AWS’s documented archive examples are refused, since Berth keeps every image in standard storage', () => {
    const pulledSelection = { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 };
    const transition = { type: 'transition', targetStorageClass: 'archive' };
    const expireArchived = { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 365 };
    const examples: { title: string; rules: unknown[]; detail: string }[] = [
      {
        title: 'filtering on last pulled time',
        rules: [{ ...rule(1, pulledSelection), action: transition }],
        detail: 'rules[0].action.type transition moves images to archive storage, which Berth does not have; use expire',
      },
      {
        title: 'filtering on archive transition time',
        rules: [rule(1, expireArchived)],
        detail: 'rules[0].selection.storageClass archive selects archived images, which Berth does not have',
      },
      {
        title: 'archiving images older than a number of days',
        rules: [{ ...rule(1, { tagStatus: 'tagged', tagPatternList: ['prod*'], ...olderThan(30) }), action: transition }],
        detail: 'rules[0].action.type transition moves images to archive storage, which Berth does not have; use expire',
      },
      {
        title: 'combining archive and expire rules',
        rules: [{ ...rule(1, { tagStatus: 'any', ...olderThan(30) }), action: transition }, rule(2, expireArchived)],
        detail: 'rules[0].action.type transition moves images to archive storage, which Berth does not have; use expire',
      },
    ];
    for (const { title, rules, detail } of examples) {
      it(title, () => assert.deepEqual(parseLifecyclePolicy(textOf({ rules })), failure(detail)));
    }
  });
});

describe('AWS’s documented lifecycle policy examples', () => {
  it('filtering on image age: tagged prod* images older than 14 days', () => {
    const old = image('old', ['prod-1'], 20);
    const production = image('production', ['production'], 15);
    const images = [old, image('fortnight', ['prod-2'], 14), production, image('dev', ['dev-1'], 30), image('untagged', [], 30), image('new', ['prod'], 1)];
    const policy = { rules: [rule(1, { tagStatus: 'tagged', tagPatternList: ['prod*'], ...olderThan(14) }, { description: 'Expire images older than 14 days' })] };
    assert.deepEqual(expire(policy, images), [expiry(old, 1), expiry(production, 1)]);
  });

  it('filtering on image count: keep only one untagged image', () => {
    const [a, b, c] = [image('a', [], 3), image('b', [], 2), image('c', [], 1)];
    const policy = { rules: [rule(1, untaggedCount, { description: 'Keep only one untagged image, expire all others' })] };
    assert.deepEqual(expire(policy, [c, image('tagged', ['v1'], 9), a, b]), [expiry(a, 1), expiry(b, 1)]);
  });

  describe('filtering on multiple rules', () => {
    const a = image('A', ['beta-1', 'prod-1'], 10);
    const b = image('B', ['beta-2', 'prod-2'], 9);
    const c = image('C', ['beta-3'], 8);
    const keepOne = (tags: 'tagPatternList' | 'tagPrefixList', value: string) => ({ tagStatus: 'tagged', [tags]: [value], countType: 'imageCountMoreThan', countNumber: 1 });

    it('example A: the beta rule may not expire B, which the prod rule kept', () => {
      const policy = { rules: [rule(1, keepOne('tagPatternList', 'prod*')), rule(2, keepOne('tagPatternList', 'beta*'))] };
      assert.deepEqual(expire(policy, [a, b, c]), [expiry(a, 1)]);
    });

    it('example A as first documented, with prefixes', () => {
      const policy = { rules: [rule(1, keepOne('tagPrefixList', 'prod')), rule(2, keepOne('tagPrefixList', 'beta'))] };
      assert.deepEqual(expire(policy, [a, b, c]), [expiry(a, 1)]);
    });

    it('example B: with the priorities swapped the beta rule expires A and B', () => {
      const policy = { rules: [rule(1, keepOne('tagPatternList', 'beta*')), rule(2, keepOne('tagPatternList', 'prod*'))] };
      assert.deepEqual(expire(policy, [a, b, c]), [expiry(a, 1), expiry(b, 1)]);
    });

    it('example B as first documented, with prefixes', () => {
      const policy = { rules: [rule(1, keepOne('tagPrefixList', 'beta')), rule(2, keepOne('tagPrefixList', 'prod'))] };
      assert.deepEqual(expire(policy, [a, b, c]), [expiry(a, 1), expiry(b, 1)]);
    });
  });

  describe('filtering on multiple tags in a single rule', () => {
    it('example A: an image must match every listed pattern', () => {
      const c = image('C', ['alpha-2', 'beta-2'], 10);
      const images = [image('A', ['alpha-1'], 12), image('B', ['beta-1'], 11), c, image('D', ['alpha-3'], 4), image('E', ['beta-3'], 3), image('F', ['alpha-4', 'beta-4'], 2)];
      const policy = { rules: [rule(1, { tagStatus: 'tagged', tagPatternList: ['alpha*', 'beta*'], ...olderThan(5) })] };
      assert.deepEqual(expire(policy, images), [expiry(c, 1)]);
    });

    it('example A as first documented, with prefixes', () => {
      const c = image('C', ['alpha-2', 'beta-2'], 10);
      const images = [image('A', ['alpha-1'], 12), image('B', ['beta-1'], 11), c, image('D', ['alpha-3'], 4), image('E', ['beta-3'], 3), image('F', ['alpha-4', 'beta-4'], 2)];
      const policy = { rules: [rule(1, { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], ...olderThan(5) })] };
      assert.deepEqual(expire(policy, images), [expiry(c, 1)]);
    });

    it('example B: tags are not exclusive, so an extra gamma tag does not protect an image', () => {
      const a = image('A', ['alpha-1', 'beta-1', 'gamma-1'], 10);
      const b = image('B', ['alpha-2', 'beta-2'], 9);
      const c = image('C', ['alpha-3', 'beta-3', 'gamma-2'], 8);
      const policy = { rules: [rule(1, { tagStatus: 'tagged', tagPatternList: ['alpha*', 'beta*'], countType: 'imageCountMoreThan', countNumber: 1 })] };
      assert.deepEqual(expire(policy, [a, b, c]), [expiry(a, 1), expiry(b, 1)]);
    });
  });

  describe('filtering on all images', () => {
    it('example A: keep only the newest image, tagged or not', () => {
      const [a, b, c, d] = [image('A', ['alpha-1'], 4), image('B', ['beta-1'], 3), image('C', [], 2), image('D', ['alpha-2'], 1)];
      assert.deepEqual(expire({ rules: [rule(1, anyCount)] }, [a, b, c, d]), [expiry(a, 1), expiry(b, 1), expiry(c, 1)]);
    });

    it('example B: the any rule counts every image but expires only D, which no earlier rule picked', () => {
      const a = image('A', ['alpha-1', 'beta-1'], 4);
      const b = image('B', [], 3);
      const c = image('C', ['alpha-2'], 2);
      const d = image('D', ['git hash'], 1);
      // Both pushed "1 day ago"; E came after D, and exactly a day old is not older than a day.
      const e = { ...image('E', [], 1), imagePushedAt: now - day + 60 };
      const policy = {
        rules: [
          rule(1, { tagStatus: 'tagged', tagPatternList: ['alpha*'], countType: 'imageCountMoreThan', countNumber: 1 }),
          rule(2, { tagStatus: 'untagged', ...olderThan(1) }),
          rule(3, anyCount),
        ],
      };
      assert.deepEqual(expire(policy, [a, b, c, d, e]), [expiry(a, 1), expiry(b, 2), expiry(d, 3)]);
    });
  });
});

describe('lifecycle policy evaluation', () => {
  /** Whether a tagged rule with this prefix or pattern list picks an image with these tags. */
  function picks(list: { tagPrefixList: string[] } | { tagPatternList: string[] }, tags: string[]): boolean {
    const policy = parsed({ rules: [rule(1, { tagStatus: 'tagged', ...list, ...olderThan(1) })] });
    return evaluateLifecyclePolicy(policy, [image('x', tags, 2)], now).length === 1;
  }

  const patternCases: [string, string[], boolean][] = [
    ['prod*', ['prod'], true],
    ['prod*', ['prod1'], true],
    ['prod*', ['production-team1'], true],
    ['prod*', ['preprod'], false],
    ['*prod*', ['repo-production'], true],
    ['*prod*', ['prod-team'], true],
    ['*prod*', ['pro-d'], false],
    ['latest', ['latest'], true],
    ['latest', ['latest-1'], false],
    ['latest', ['old-latest'], false],
    ['Latest', ['latest'], false],
    ['a*b', ['ab'], true],
    ['a*b', ['axxb'], true],
    ['a*b', ['ab-c'], false],
    ['v*.*.*', ['v1.2.3'], true],
    ['v*.*.*', ['v1-2-3'], false],
    ['release-?', ['release-?'], true],
    ['release-?', ['release-1'], false],
    ['*', ['anything'], true],
    ['*', [], false],
    ['*test*1*2*3', ['a-test-1-2-3'], true],
    ['test*1*2*3*', ['test-1-2-3-x'], true],
  ];
  for (const [pattern, tags, expected] of patternCases) {
    it(`pattern ${pattern} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(tags)}`, () => assert.equal(picks({ tagPatternList: [pattern] }, tags), expected));
  }

  const prefixCases: [string[], string[], boolean][] = [
    [['prod'], ['prod'], true],
    [['prod'], ['production'], true],
    [['prod'], ['my-prod'], false],
    [['prod'], ['Prod-1'], false],
    [['prod'], ['dev', 'prod-3'], true],
    [['prod'], [], false],
    [['alpha', 'beta'], ['alpha-1'], false],
    [['alpha', 'beta'], ['beta-1', 'alpha-1'], true],
    [['alpha', 'beta'], ['alphabeta'], false],
    [['prod', 'prod-1'], ['prod-1'], true],
  ];
  for (const [prefixes, tags, expected] of prefixCases) {
    it(`prefixes ${JSON.stringify(prefixes)} ${expected ? 'match' : 'do not match'} ${JSON.stringify(tags)}`, () => assert.equal(picks({ tagPrefixList: prefixes }, tags), expected));
  }

  it('one tag may satisfy several patterns', () => assert.equal(picks({ tagPatternList: ['*1', 'alpha*'] }, ['alpha-1']), true));

  it('untagged picks only images without tags; any picks every image', () => {
    const tagged = image('tagged', ['v1'], 10);
    const untagged = image('untagged', [], 10);
    assert.deepEqual(expire({ rules: [rule(1, { tagStatus: 'untagged', ...olderThan(1) })] }, [tagged, untagged]), [expiry(untagged, 1)]);
    assert.deepEqual(expire({ rules: [rule(1, { tagStatus: 'any', ...olderThan(1) })] }, [tagged, untagged]), [expiry(tagged, 1), expiry(untagged, 1)]);
  });

  describe('imageCountMoreThan', () => {
    const images = [image('b', ['v2'], 2), image('d', ['v4'], 0), image('a', ['v1'], 3), image('c', ['v3'], 1)];
    const keep = (count: number) => ({ rules: [rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: count })] });

    it('keeps the newest images by push time, whatever the input order', () => {
      assert.deepEqual(
        expire(keep(2), images).map((e) => e.imageDigest),
        ['sha256:a', 'sha256:b'],
      );
    });

    it('expires nothing while the count is not exceeded', () => {
      assert.deepEqual(expire(keep(4), images), []);
      assert.deepEqual(expire(keep(10), images), []);
    });

    it('settles equal push times the same way for any input order', () => {
      const twins = [image('x', ['v1'], 5), image('y', ['v2'], 5), image('z', ['v3'], 5)];
      const forward = expire(keep(1), twins);
      assert.deepEqual(expire(keep(1), [...twins].reverse()), forward);
      assert.equal(forward.length, 2);
    });
  });

  describe('sinceImagePushed', () => {
    const policy = { rules: [rule(1, { tagStatus: 'any', ...olderThan(14) })] };

    it('an image exactly the age limit stays', () => assert.deepEqual(expire(policy, [image('edge', [], 14)]), []));

    it('an image a second past the limit goes', () => {
      const past = { ...image('past', [], 14), imagePushedAt: now - 14 * day - 1 };
      assert.deepEqual(expire(policy, [past]), [expiry(past, 1)]);
    });

    it('ignores pulls', () => {
      const pulled = image('pulled', ['v1'], 30, 0);
      assert.deepEqual(expire(policy, [pulled]), [expiry(pulled, 1)]);
    });
  });

  it('accepts sinceImagePulled with expire, which ECR allows only for archiving (a Berth extension)', () => {
    const document = { rules: [rule(1, { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 })] };
    const policy = parsed(document);
    assert.equal(policy.rules[0]?.selection.countType, 'sinceImagePulled');
  });

  describe('sinceImagePulled (ECR accepts it only for archiving; Berth expires on it)', () => {
    const rules: LifecycleRule[] = [
      { rulePriority: 1, selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 }, action: { type: 'expire' } },
    ];

    it('counts from the last recorded pull, or from the push of an image never pulled', () => {
      const recentlyPulled = image('recently-pulled', ['v1'], 100, 10);
      const longUnpulled = image('long-unpulled', ['v2'], 100, 40);
      const neverPulledOld = image('never-pulled-old', ['v3'], 40);
      const neverPulledNew = image('never-pulled-new', ['v4'], 20);
      const result = evaluateLifecyclePolicy({ rules }, [recentlyPulled, longUnpulled, neverPulledOld, neverPulledNew], now);
      assert.deepEqual(result, [expiry(longUnpulled, 1), expiry(neverPulledOld, 1)]);
    });

    it('an image pulled exactly the limit ago stays', () => {
      assert.deepEqual(evaluateLifecyclePolicy({ rules }, [image('edge', [], 90, 30)], now), []);
    });
  });

  describe('rule priority', () => {
    const prodOld = image('prod-old', ['prod-1'], 40);
    const prodNew = image('prod-new', ['prod-2'], 35);
    const devOld = image('dev-old', ['dev-1'], 50);
    const untaggedOld = image('untagged-old', [], 45);
    const recent = image('recent', ['dev-2'], 1);
    const images = [prodOld, prodNew, devOld, untaggedOld, recent];
    const keepProd = rule(10, { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'imageCountMoreThan', countNumber: 5 });
    const ageOut = rule(20, { tagStatus: 'any', ...olderThan(30) });

    it('an image an earlier rule picked and kept is safe from later rules', () => {
      assert.deepEqual(expire({ rules: [keepProd, ageOut] }, images), [expiry(devOld, 20), expiry(untaggedOld, 20)]);
    });

    it('applies rules by rulePriority, not by their order in the document', () => {
      assert.deepEqual(expire({ rules: [ageOut, keepProd] }, images), [expiry(devOld, 20), expiry(untaggedOld, 20)]);
    });

    it('without the earlier rule the same images age out', () => {
      assert.deepEqual(expire({ rules: [ageOut] }, images), [expiry(devOld, 20), expiry(untaggedOld, 20), expiry(prodOld, 20), expiry(prodNew, 20)]);
    });

    it('an image picked by two rules is expired once, by the earlier', () => {
      const policy = { rules: [rule(1, { tagStatus: 'tagged', tagPrefixList: ['prod'], ...olderThan(30) }), rule(2, { tagStatus: 'any', ...olderThan(30) })] };
      assert.deepEqual(expire(policy, [prodOld, devOld]), [expiry(devOld, 2), expiry(prodOld, 1)]);
    });
  });

  it('lists expiring images oldest push first, across rules', () => {
    const untaggedOld = image('u', [], 9);
    const releaseOlder = image('r1', ['release-1'], 12);
    const releaseOld = image('r2', ['release-2'], 7);
    const policy = { rules: [rule(1, { tagStatus: 'tagged', tagPrefixList: ['release'], countType: 'imageCountMoreThan', countNumber: 1 }), rule(2, { tagStatus: 'untagged', ...olderThan(3) })] };
    const result = expire(policy, [untaggedOld, releaseOld, image('r3', ['release-3'], 1), releaseOlder]);
    assert.deepEqual(result, [expiry(releaseOlder, 1), expiry(untaggedOld, 2), expiry(releaseOld, 1)]);
  });

  it('expires nothing from an empty repository', () => assert.deepEqual(expire({ rules: [rule(1, anyCount)] }, []), []));

  it('leaves its input alone and hands back its own tag lists', () => {
    const images = [image('b', ['v2'], 1), image('a', ['v1'], 2)];
    const before = structuredClone(images);
    const result = expire({ rules: [rule(1, anyCount)] }, images);
    assert.deepEqual(images, before);
    assert.notEqual(result[0]?.imageTags, images[1]?.imageTags);
  });
});
