import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyDocumentError, checkPolicySize, isConditionOperator, parsePolicyDocument, policySize, type ParseOptions } from '../../../../src/iam/policy/index.js';

const parse = (document: unknown, options: ParseOptions) => parsePolicyDocument(typeof document === 'string' ? document : JSON.stringify(document), options, isConditionOperator);

/** IAM's message, word for word, and Berth's detail. */
function refuses(document: unknown, options: ParseOptions, message: string, detail?: RegExp): void {
  assert.throws(
    () => parse(document, options),
    (error: unknown) => {
      assert.ok(error instanceof PolicyDocumentError, String(error));
      assert.equal(error.message, message);
      if (detail) assert.match(error.detail, detail);
      return true;
    },
  );
}

const identity: ParseOptions = { kind: 'identity' };
const trust: ParseOptions = { kind: 'trust' };
const resource: ParseOptions = { kind: 'resource' };
const allowAll = { Effect: 'Allow', Action: '*', Resource: '*' };
const assume = { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' };

describe('policy grammar: what IAM accepts', () => {
  it('takes a statement object or a list, both versions, and no Version as 2008-10-17', () => {
    assert.equal(parse({ Version: '2012-10-17', Statement: allowAll }, identity).statements.length, 1);
    assert.equal(parse({ Version: '2008-10-17', Statement: [allowAll, allowAll] }, identity).version, '2008-10-17');
    assert.equal(parse({ Statement: [allowAll] }, identity).version, '2008-10-17');
  });

  it('keeps Sid, NotAction, NotResource, Id and conditions with number and boolean values as strings', () => {
    const parsed = parsePolicyDocument(
      {
        Version: '2012-10-17',
        Id: 'doc',
        Statement: [{ Sid: 'S1', Effect: 'Deny', NotAction: ['iam:*'], NotResource: 'arn:aws:s3:::b', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 }, Bool: { 'aws:SecureTransport': false } } }],
      },
      identity,
      isConditionOperator,
    );
    assert.equal(parsed.id, 'doc');
    const [statement] = parsed.statements;
    assert.deepEqual(statement, {
      index: 0,
      sid: 'S1',
      effect: 'Deny',
      notAction: ['iam:*'],
      notResource: ['arn:aws:s3:::b'],
      conditions: [
        { operator: 'NumericLessThan', key: 'aws:MultiFactorAuthAge', values: ['3600'] },
        { operator: 'Bool', key: 'aws:SecureTransport', values: ['false'] },
      ],
    });
  });

  it('takes trust policies with principals of every type and no resource', () => {
    const parsed = parse({ Version: '2012-10-17', Statement: [assume, { Effect: 'Allow', Principal: { AWS: ['111122223333', 'arn:aws:iam::111122223333:role/x'] }, Action: 'sts:AssumeRole' }] }, trust);
    assert.deepEqual(parsed.statements[1]!.principal, { everyone: false, byType: { AWS: ['111122223333', 'arn:aws:iam::111122223333:role/x'] } });
    assert.deepEqual(parse({ Statement: { Effect: 'Allow', NotPrincipal: '*', Action: 'sts:AssumeRole' } }, trust).statements[0]!.notPrincipal, { everyone: true });
  });

  it('takes the ForAllValues/ForAnyValue and IfExists forms and Null', () => {
    for (const operator of ['ForAllValues:StringLike', 'ForAnyValue:StringEquals', 'StringEqualsIfExists', 'ForAnyValue:ArnLikeIfExists', 'Null', 'NotIpAddress', 'BinaryEquals']) {
      assert.equal(isConditionOperator(operator), true, operator);
    }
    for (const operator of ['StringEqualz', 'NullIfExists', 'ForAllValues:Null', 'stringequals', 'ForEvery:StringEquals']) assert.equal(isConditionOperator(operator), false, operator);
  });
});

describe("policy grammar: IAM's MalformedPolicyDocument messages", () => {
  it('refuses what is not a JSON object', () => {
    refuses('{not json', identity, 'Syntax errors in policy.', /^not valid JSON/);
    refuses([], identity, 'Syntax errors in policy.', /JSON object/);
  });

  it('refuses an unknown version, unknown elements and missing statements', () => {
    refuses({ Version: '2012-10-18', Statement: allowAll }, identity, 'Syntax errors in policy.', /Version/);
    refuses({ Statement: allowAll }, { ...identity, requireVersion: true }, 'Syntax errors in policy.', /Version/);
    refuses({ Version: '2012-10-17', Statement: allowAll, Extra: 1 }, identity, 'Syntax errors in policy.', /'Extra'/);
    refuses({ Version: '2012-10-17', Statement: [] }, identity, 'Syntax errors in policy.', /non-empty/);
    refuses({ Version: '2012-10-17', Statement: [{ ...allowAll, Colour: 'red' }] }, identity, 'Syntax errors in policy.', /'Colour'/);
    refuses({ Version: '2012-10-17', Statement: [{ ...allowAll, Effect: 'allow' }] }, identity, 'Syntax errors in policy.', /Effect/);
  });

  it('refuses a principal in an identity policy', () => {
    refuses({ Version: '2012-10-17', Statement: [{ ...allowAll, Principal: '*' }] }, identity, 'Policy document should not specify a principal.');
    refuses({ Version: '2012-10-17', Statement: [{ ...allowAll, NotPrincipal: { AWS: '111122223333' } }] }, identity, 'Policy document should not specify a principal.');
  });

  it('refuses a trust policy without a principal or with a resource', () => {
    refuses({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }, trust, 'Missing required field Principal');
    refuses({ Version: '2012-10-17', Statement: [{ ...assume, Resource: '*' }] }, trust, 'Has prohibited field Resource');
    refuses({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*' }] }, resource, 'Missing required field Principal');
  });

  it('refuses statements without actions or resources, and actions without a vendor', () => {
    refuses({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] }, identity, 'Policy statement must contain actions.');
    refuses({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*' }] }, identity, 'Policy statement must contain resources.');
    refuses({ Version: '2012-10-17', Statement: [{ ...allowAll, Action: 'RunTask' }] }, identity, 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    refuses({ Version: '2012-10-17', Statement: [{ ...allowAll, Condition: { StringEquals: { cluster: 'x' } } }] }, identity, 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    refuses({ Version: '2012-10-17', Statement: [{ ...allowAll, Action: 'ecs:RunTask', NotAction: 'ecs:StopTask' }] }, identity, 'Syntax errors in policy.');
  });

  it('refuses resources that are neither ARNs nor "*"', () => {
    refuses({ Version: '2012-10-17', Statement: [{ ...allowAll, Resource: 'my-bucket' }] }, identity, 'Resource my-bucket must be in ARN format or "*".');
  });

  it('refuses duplicate Sids and Sids that are not alphanumeric in identity policies', () => {
    refuses({ Version: '2012-10-17', Statement: [{ ...allowAll, Sid: 'A' }, { ...allowAll, Sid: 'A' }] }, identity, 'Statement IDs (SID) in a single policy must be unique.');
    refuses(
      { Version: '2012-10-17', Statement: [{ ...allowAll, Sid: 'with space' }] },
      identity,
      'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
    );
    assert.equal(parse({ Version: '2012-10-17', Statement: [{ ...assume, Sid: 'A' }, { ...assume, Sid: 'A' }] }, { ...trust, uniqueSids: false }).statements.length, 2);
  });

  it('refuses unknown condition operators and principals', () => {
    refuses({ Version: '2012-10-17', Statement: [{ ...allowAll, Condition: { StringEqualz: { 'aws:username': 'x' } } }] }, identity, 'Invalid Condition type : StringEqualz');
    refuses({ Version: '2012-10-17', Statement: [{ ...assume, Principal: { AWS: 'bob' } }] }, trust, 'Invalid principal in policy: "AWS":"bob"');
    refuses(
      { Version: '2012-10-17', Statement: [{ ...assume, Principal: { AWS: 'arn:aws:iam::111122223333:user/*' } }] },
      trust,
      'Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:user/*"',
    );
    refuses({ Version: '2012-10-17', Statement: [{ ...assume, Principal: { Someone: 'x' } }] }, trust, 'Invalid principal in policy: "Someone":"x"');
  });
});

describe('statement positions, as SimulatePrincipalPolicy reports them', () => {
  it('gives each statement its first and last character, lines and columns from 1', () => {
    const text = ['{', '  "Version": "2012-10-17",', '  "Statement": [', '    {"Sid": "A", "Effect": "Allow", "Action": "ecs:*", "Resource": "*"},', '    {', '      "Effect": "Deny", "Action": "ecs:Delete*", "Resource": "arn:aws:ecs:*:*:cluster/{x}\\"]"', '    }', '  ]', '}'].join('\n');
    const [first, second] = parse(text, identity).statements;
    assert.deepEqual(first!.range, { start: { line: 4, column: 5 }, end: { line: 4, column: 71 } });
    assert.deepEqual(second!.range, { start: { line: 5, column: 5 }, end: { line: 7, column: 5 } });
  });

  it('handles a single statement object after other keys', () => {
    const text = '{"Id":"x","Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":["*"]}}';
    assert.deepEqual(parse(text, identity).statements[0]!.range, { start: { line: 1, column: 46 }, end: { line: 1, column: 93 } });
  });
});

describe('policy size quotas', () => {
  it('counts characters without whitespace, against the quota for where the policy is stored', () => {
    assert.equal(policySize('{ "a" :\n\t"b c" }'), 10);
    const padded = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}${' '.repeat(5000)}`;
    assert.deepEqual(checkPolicySize(padded, 'inlineUser'), { fits: true, size: 83, limit: 2048 });
    const big = 'x'.repeat(2049);
    assert.equal(checkPolicySize(big, 'inlineUser').fits, false);
    assert.equal(checkPolicySize(big, 'inlineGroup').fits, true);
    assert.equal(checkPolicySize('x'.repeat(6145), 'managed').fits, false);
    assert.equal(checkPolicySize('x'.repeat(6144), 'managed').fits, true);
    assert.equal(checkPolicySize('x'.repeat(10240), 'inlineRole').fits, true);
    assert.equal(checkPolicySize('x'.repeat(10241), 'inlineRole').fits, false);
  });
});
