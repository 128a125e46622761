import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluate,
  parseExpression,
  QueryLanguageError,
  validateExpression,
  type QueryTarget,
} from '../../../src/placement/index.js';

const target: QueryTarget = {
  ec2InstanceId: 'i-abcd1234',
  agentConnected: true,
  agentVersion: '1.14.4',
  registeredAt: Date.parse('2018-02-10T12:00:00Z'),
  attributes: {
    'ecs.instance-type': 't2.small',
    'ecs.availability-zone': 'us-east-1a',
    stack: 'prod',
    rack: '12',
    gpu: null,
  },
  tasks: [{ group: 'service:production' }, { group: 'family:web' }],
};

const check = (text: string, expected: boolean, on: QueryTarget = target): void => {
  assert.equal(evaluate(parseExpression(text), on), expected, text);
};

describe('cluster query language: AWS documented examples', () => {
  const cases: [string, boolean][] = [
    ['attribute:ecs.instance-type == t2.small', true],
    ['attribute:ecs.availability-zone in [us-east-1a, us-east-1b]', true],
    ['attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d', false],
    ['attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone == us-east-1a', true],
    ['task:group == service:production', true],
    ['not(task:group == database)', true],
    ['runningTasksCount == 1', false],
    ['agentVersion < 1.14.5', true],
    ['registeredAt < 2018-02-13', true],
    ["ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", true],
    ['attribute:stack == prod', true],
    ['attribute:stack != prod', false],
    ['attribute:ecs.instance-type in [t2.small, t2.medium]', true],
  ];
  for (const [text, expected] of cases) it(`${text} -> ${expected}`, () => check(text, expected));
});

describe('cluster query language: operators', () => {
  const cases: [string, boolean][] = [
    ['attribute:ecs.instance-type equals t2.small', true],
    ['attribute:ecs.instance-type != t2.micro', true],
    ['attribute:ecs.instance-type not_equals t2.small', false],
    ['attribute:ecs.availability-zone in [us-east-1c]', false],
    ['attribute:ecs.availability-zone !in [us-east-1c]', true],
    ['attribute:ecs.availability-zone not_in [us-east-1a, us-east-1c]', false],
    ['attribute:ecs.instance-type =~ t2.*', true],
    ['attribute:ecs.instance-type matches g2.*', false],
    ['attribute:ecs.instance-type =~ t2', false], // the whole value must match
    ["attribute:ecs.instance-type =~ 't2\\.(small|micro)'", true],
    ['attribute:ecs.instance-type !~ g2.*', true],
    ['attribute:ecs.instance-type not_matches t2.*', false],
    ['attribute:stack exists', true],
    ['attribute:nope exists', false],
    ['attribute:nope !exists', true],
    ['attribute:nope not_exists', true],
    ['attribute:gpu exists', true],
    ['attribute:gpu not_exists', false],
    ['attribute:gpu == x', false],
    ['attribute:gpu != x', false],
    ['attribute:nope != prod', false],
    ['attribute:nope !in [prod]', false],
    ['attribute:rack > 9', true], // numeric, not '12' < '9'
    ['attribute:rack greater_than_equal 12', true],
    ['attribute:rack < 12', false],
    ['attribute:rack less_than_equal 12', true],
    ['attribute:stack > dev', true], // strings compare as strings
    ['ec2InstanceType == t2.small', true],
    ['ec2InstanceId == "i-abcd1234"', true],
    ['ec2InstanceId =~ i-abcd.*', true],
    ['ec2InstanceId != i-abcd1234', false],
    ['agentConnected == true', true],
    ['agentConnected == false', false],
    ['agentConnected != false', true],
    ['agentConnected in [false]', false],
    ['agentConnected =~ tr.*', true],
    ['agentVersion >= 1.14.4', true],
    ['agentVersion == 1.14.4.0', true],
    ['agentVersion greater_than 1.2', true], // 14 > 2 segment-wise
    ['agentVersion <= 1.9', false],
    ['registeredAt < 2018-02-10', false],
    ['registeredAt == 2018-02-10', true], // a date covers the whole day
    ['registeredAt != 2018-02-10', false],
    ['registeredAt <= 2018-02-10', true],
    ['registeredAt > 2018-02-09', true],
    ['registeredAt >= 2018-02-10T12:00:00Z', true],
    ['registeredAt > 2018-02-10T12:00:00Z', false],
    ['registeredAt == 2018-02-10T13:00:00+01:00', true],
    ['registeredAt < 2018-02-10T12:00:00', false],
    ['registeredAt < 2018-02-10T12:00:00.001Z', true],
    ['runningTasksCount == 2', true],
    ['runningTasksCount > 2', false],
    ['runningTasksCount <= 2', true],
    ['task:group == database', false],
    ['task:group != database', true],
    ['task:group != family:web', false],
    ['!(task:group == service:production)', false],
    ['task:group in [database, family:web]', true],
    ['task:group not_in [database, family:web]', false],
    ['task:group =~ service:.*', true],
    ['task:group !~ family:.*', false],
    ['task:group exists', true],
  ];
  for (const [text, expected] of cases) it(`${text} -> ${expected}`, () => check(text, expected));
});

describe('cluster query language: compound expressions', () => {
  const cases: [string, boolean][] = [
    ['attribute:stack == prod or attribute:stack == dev and attribute:ecs.instance-type == g2.2xlarge', true],
    ['(attribute:stack == prod or attribute:stack == dev) and attribute:ecs.instance-type == g2.2xlarge', false],
    ['attribute:stack == prod && attribute:rack == 12', true],
    ['attribute:stack == dev || attribute:rack == 12', true],
    ['attribute:stack==prod&&attribute:rack==12', true],
    ['attribute:stack == prod AND NOT attribute:rack == 12', false],
    ['not attribute:stack == prod', false],
    ['! attribute:stack == prod or attribute:rack == 12', true],
    ['!!attribute:stack == prod', true],
    ['((attribute:stack == prod))', true],
    ['not(task:group == database) and (attribute:ecs.availability-zone in [us-east-1a] or agentConnected == false)', true],
  ];
  for (const [text, expected] of cases) it(`${text} -> ${expected}`, () => check(text, expected));

  it('task:group is true when ANY task on the instance matches', () => {
    check('task:group == family:web', true);
    check('task:group == family:web', false, { ...target, tasks: [] });
    check('task:group exists', false, { ...target, tasks: [] });
    check('not(task:group == database)', true, { ...target, tasks: [] });
  });

  it('instances without an agent version or an EC2 id only satisfy !exists', () => {
    const bare: QueryTarget = { ...target, ec2InstanceId: '', attributes: {} };
    delete (bare as { agentVersion?: string }).agentVersion;
    check('agentVersion < 9', false, bare);
    check('ec2InstanceId != i-1', false, bare);
    check('ec2InstanceId in [i-1]', false, bare);
  });

  it('the context can override tasks (ListContainerInstances knows running counts)', () => {
    const expression = parseExpression('runningTasksCount == 0 and task:group == other');
    assert.equal(evaluate(expression, target, { runningTasksCount: 0, taskGroups: ['other'] }), true);
    assert.equal(evaluate(expression, target), false);
  });
});

describe('cluster query language: parse errors', () => {
  const cases: [string, RegExp, number][] = [
    ['', /expected a subject .* found end of expression/, 0],
    ['attribute:stack', /expected an operator after 'attribute:stack', found end of expression/, 15],
    ['attribute:stack = prod', /use '==' for equality/, 16],
    ['attribute:stack ==', /expected a value after '=='/, 18],
    ['attribute:stack in [a, b', /expected ',' or '\]'/, 24],
    ['attribute:stack in []', /empty argument list/, 20],
    ['attribute:stack in a', /'in' expects a list like \[a, b\]/, 19],
    ['attribute:stack == [a]', /use 'in' for a list/, 19],
    ['attribute:stack =~ (a|b)', /quote values that contain parentheses/, 19],
    ['foo == bar', /unknown subject 'foo'/, 0],
    ['attribute: == b', /missing attribute name/, 0],
    ['registeredAt < 2018-13-01', /'2018-13-01' is not a valid date/, 15],
    ['registeredAt < 2018-02-30', /not a valid date/, 15],
    ['registeredAt in [2018-01-01]', /operator 'in' is not valid for registeredAt/, 0],
    ['ec2InstanceId > i-1', /operator '>' is not valid for ec2InstanceId/, 0],
    ['agentConnected == maybe', /agentConnected compares with true or false/, 18],
    ['runningTasksCount == -1', /whole number/, 21],
    ['agentVersion < latest', /not an agent version/, 15],
    ["attribute:x =~ '(unclosed'", /invalid regular expression/, 15],
    ['(attribute:a == b', /expected '\)' to close the '\(' at column 1/, 17],
    ['attribute:a == b c', /unexpected 'c'; expected 'and', 'or' or the end/, 17],
    ['attribute:a not in [b]', /write 'not_in' or '!in'/, 12],
    ["attribute:a == 'b", /unterminated string/, 15],
    ['attribute:a == b and', /expected a subject .* found end of expression/, 20],
    ['attribute:a == b & attribute:c == d', /use '&&' or 'and'/, 17],
    ['attribute:a ! b', /expected 'exists' or 'in' after '!'/, 14],
    ['attribute:a == b)', /unexpected '\)'/, 16],
  ];
  for (const [text, message, position] of cases) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseExpression(text),
        (error: unknown) => {
          assert.ok(error instanceof QueryLanguageError, 'a QueryLanguageError');
          assert.match(error.message, message);
          assert.equal(error.position, position, `position in ${error.message}`);
          assert.match(error.message, new RegExp(`^Invalid cluster query expression at column ${position + 1}: `));
          return true;
        },
      );
      assert.equal(validateExpression(text), (() => {
        try {
          parseExpression(text);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      })());
    });
  }

  it('rejects expressions over 2000 characters', () => {
    const long = `attribute:a in [${Array.from({ length: 500 }, (_, i) => `v${i}`).join(', ')}]`;
    assert.match(validateExpression(long) ?? '', /longer than 2000 characters/);
  });

  it('validateExpression returns undefined for valid expressions', () => {
    assert.equal(validateExpression('attribute:ecs.instance-type =~ t2.*'), undefined);
  });
});
