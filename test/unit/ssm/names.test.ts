import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUnder } from '../../../src/ssm/filters.js';
import { checkNewName, isValidLabel, namesOf, parameterArn, splitSelector } from '../../../src/ssm/names.js';
import { isParameterReference } from '../../../src/ssm/resolve.js';

const scope = { accountId: '000000000000', region: 'us-east-1' };

describe('parameter names, ARNs and selectors', () => {
  it('names a parameter by ARN with or without its leading slash', () => {
    assert.equal(parameterArn(scope, '/a/b'), 'arn:aws:ssm:us-east-1:000000000000:parameter/a/b');
    assert.equal(parameterArn(scope, 'a'), 'arn:aws:ssm:us-east-1:000000000000:parameter/a');
    assert.deepEqual(namesOf('arn:aws:ssm:us-east-1:000000000000:parameter/a/b', scope), ['/a/b']);
    assert.deepEqual(namesOf('arn:aws:ssm:us-east-1:000000000000:parameter/a', scope), ['a', '/a']);
    assert.equal(namesOf('arn:aws:ssm:eu-west-1:000000000000:parameter/a', scope), undefined);
    assert.deepEqual(namesOf('plain', scope), ['plain']);
  });

  it('splits selectors after the name, never inside an ARN', () => {
    assert.deepEqual(splitSelector('/a/b:3'), { reference: '/a/b', selector: { kind: 'version', version: 3 }, text: ':3' });
    assert.deepEqual(splitSelector('/a/b:prod'), { reference: '/a/b', selector: { kind: 'label', label: 'prod' }, text: ':prod' });
    assert.deepEqual(splitSelector('arn:aws:ssm:us-east-1:000000000000:parameter/a'), { reference: 'arn:aws:ssm:us-east-1:000000000000:parameter/a' });
    assert.deepEqual(splitSelector('arn:aws:ssm:us-east-1:000000000000:parameter/a:2').selector, { kind: 'version', version: 2 });
  });

  it('checks names and labels as Parameter Store does', () => {
    assert.equal(checkNewName('/a/b-c_d.e'), '/a/b-c_d.e');
    for (const bad of ['a/b', '/aws/x', 'SSM-x', '/a b', '/a/', `/${'x/'.repeat(15)}y`]) assert.throws(() => checkNewName(bad), bad);
    assert.ok(isValidLabel('prod-1'));
    for (const bad of ['1prod', 'awsy', 'Ssm', 'a/b', '', 'x'.repeat(101)]) assert.equal(isValidLabel(bad), false, bad);
  });

  it('places names under paths one level deep or at any depth', () => {
    assert.equal(isUnder('/a/b', '/a', false), true);
    assert.equal(isUnder('/a/b/c', '/a', false), false);
    assert.equal(isUnder('/a/b/c', '/a/', true), true);
    assert.equal(isUnder('/ab', '/a', true), false);
    assert.equal(isUnder('/a', '/', false), true);
    assert.equal(isUnder('a', '/', true), false);
  });

  it('reads valueFrom as ECS does: a name, or a parameter ARN', () => {
    assert.equal(isParameterReference('db-password'), true);
    assert.equal(isParameterReference('/app/db'), true);
    assert.equal(isParameterReference('arn:aws:ssm:us-east-1:000000000000:parameter/app/db'), true);
    assert.equal(isParameterReference('arn:aws:s3:::bucket/key'), false);
    assert.equal(isParameterReference(''), false);
  });
});
