/**
 * The filter pattern language as CloudWatch's "Filter pattern syntax" documentation describes it,
 * table by table with its examples: terms, phrases, exclusions, alternatives, regular expressions,
 * JSON patterns and space-delimited patterns; malformed patterns with the position at fault; and
 * the characters CloudWatch Logs refuses outside double quotes and inside `%regex%`, with its words.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FilterPatternError, parseFilterPattern } from '../../src/logs/filter-pattern/index.js';
import { bounded } from '../helpers/bounded.js';

type Row = [pattern: string, message: string, matches: boolean];

function check(rows: readonly Row[]): void {
  for (const [pattern, message, expected] of rows) {
    assert.equal(parseFilterPattern(pattern)(message), expected, `${pattern} against ${message}`);
  }
}

const cloudTrail = JSON.stringify({
  eventType: 'UpdateTrail',
  sourceIPAddress: '123.123.1.2',
  arrayKey: ['value', 'another value'],
  objectList: [
    { name: 'a', id: 1 },
    { name: 'b', id: 2 },
  ],
  SomeObject: null,
  ThisFlag: true,
  latency: 250,
  user: { id: 1, email: 'John.Doe@example.com' },
  users: [{ id: 2, email: 'John.Doe@example.com' }],
  level: 'error',
});

const apache = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534';
const apache404 = '127.0.0.1 - admin [10/Oct/2000:13:35:22 -0700] "GET /index.html HTTP/1.0" 404 2326';

describe('filter patterns', () => {
  it('matches terms, phrases, exclusions and alternatives, case-sensitively', () => {
    check([
      ['', 'anything', true],
      ['""', 'anything', true],
      ['ERROR', '[ERROR 401] UNAUTHORIZED REQUEST', true],
      ['ERROR', '[error 401] unauthorized', false],
      ['ERROR ARGUMENTS', '[ERROR 400] BAD REQUEST ARGUMENTS', true],
      ['ERROR ARGUMENTS', '[ERROR 401] UNAUTHORIZED REQUEST', false],
      ['"INTERNAL SERVER ERROR"', '[ERROR 500] INTERNAL SERVER ERROR', true],
      ['"INTERNAL SERVER ERROR"', 'INTERNAL ERROR SERVER', false],
      ['ERROR -ARGUMENTS', '[ERROR 401] UNAUTHORIZED REQUEST', true],
      ['ERROR -ARGUMENTS', '[ERROR 400] BAD REQUEST ARGUMENTS', false],
      ['-"BAD REQUEST"', '[ERROR 400] BAD REQUEST', false],
      ['?ERROR ?WARN', '[WARN] disk low', true],
      ['?ERROR ?WARN', '[INFO] fine', false],
      ['%AUTHORIZED%', '[ERROR 401] UNAUTHORIZED REQUEST', true],
      ['%^\\[ERROR%', '[ERROR 401] UNAUTHORIZED REQUEST', true],
      ['%^\\[ERROR%', 'x [ERROR 401]', false],
      ['ERROR_CODE', 'ERROR_CODE=7', true],
      ['"Status: timeout"', 'Status: timeout after 3s', true],
      ['"PlayerSpawnedInWorld (reason: JoinMultiplayer"', 'PlayerSpawnedInWorld (reason: JoinMultiplayer)', true],
      ['"email@example.com"', 'mail to email@example.com', true],
    ]);
  });

  it('matches regular expressions anywhere in the message, with the operators and symbols CloudWatch Logs allows', () => {
    check([
      ['%^[hc]at%', 'hat in hand', true],
      ['%^[hc]at%', 'that', false],
      ['%[hc]at$%', 'a cat', true],
      ['%colou?r%', 'color', true],
      ['%colou?r%', 'colour', true],
      ['%a{3,5}%', 'baaab', true],
      ['%a{3,5}%', 'baab', false],
      ['%[Ee]rror|[Ff]ail%', 'it broke', false],
      ['%[Ee]rror|[Ff]ail%', 'Failed', true],
      ['%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%', 'from 10.0.0.12 port 22', true],
      ['%Task timed out after|^REPORT\\s.+\\sStatus: timeout%', 'REPORT RequestId: 1 Status: timeout', true],
      ['%user=[a-z_#@/;,-]+%', 'user=x@y/z', true],
      ['%timed out%', 'Task timed out after 3.00 seconds', true],
      ['%\\x28reason:%', 'spawned (reason: join)', true],
      ['{ $.level = %^err% && $.user.email = %@example\\.com$% }', cloudTrail, true],
      ['[ip, identity, user = %^fr%, ...]', apache, true],
      ['[ip, identity, user = %^adm%, ...]', apache, false],
    ]);
  });

  it('refuses what CloudWatch Logs refuses, in its words, with the position of the character at fault', () => {
    const refused: [pattern: string, message: string, position: number][] = [
      ['?Status: timeout', "Invalid character(s) in term ':'", 7],
      ['PlayerSpawnedInWorld (reason: JoinMultiplayer', "Invalid character(s) in term '('", 21],
      ['level\\":\\"error', "Invalid character(s) in term '\\'", 5],
      ['`ERROR', "Invalid character(s) in term '`'", 0],
      ['"retrievedReferences" []', "Invalid character(s) in term '['", 22],
      ['SUCCESS*', "Invalid character(s) in term '*'", 7],
      ['a,b', "Invalid character(s) in term ','", 1],
      ['email@example.com', "Invalid character(s) in term '@'", 5],
      ['ERROR -exit-code', "Invalid character(s) in term '-'", 11],
      ['café', "Invalid character(s) in term 'é'", 3],
      ['%something!%', "Invalid character(s) in term '!'", 10],
      ['%(a|b)c%', "Invalid character(s) in term '('", 1],
      ['%"timed out"%', "Invalid character(s) in term '\"'", 1],
      ['%naïve%', "Invalid character(s) in term 'ï'", 3],
      ['{ $.path = %^/api(/v1)?% }', "Invalid character(s) in term '('", 17],
      ['%a% %b% %c%', 'There is a limit of 2 regex for each filter pattern.', 8],
      ['{ $.a = %x% || $.b = %y% || $.c = %z% }', 'There is a limit of 2 regex for each filter pattern.', 34],
      ['[a = %x%, b = %y%, c = %z%]', 'There is a limit of 2 regex for each filter pattern.', 23],
      ['{ $.message = "error-response", $.path = "/authenticate" }', "Invalid character(s) in term ','", 30],
      ['{ ($.a = "x", $.b = 2) }', "Invalid character(s) in term ','", 12],
      ['{ $."sc-status" = 5* }', 'Invalid character(s) in term \'$."\'', 4],
      ['{ $.someInt >= someString }', 'Invalid character(s) in term \'"someString"\'', 15],
      ['{ $.someInt >= "123" }', 'Invalid character(s) in term \'"123"\'', 15],
      ['{ $.someInt < %1% }', "Invalid character(s) in term '%1%'", 14],
      ['[a, b > abc]', 'Invalid character(s) in term \'"abc"\'', 8],
      ['[...fields, status=FAILED]', "Invalid character(s) in term '...fields'", 1],
      ['%unterminated', 'Invalid filter pattern', 0],
      ['%a{2,1}%', 'Invalid filter pattern', 0],
    ];
    for (const [pattern, message, position] of refused) {
      assert.throws(
        () => parseFilterPattern(pattern),
        (error: unknown) => error instanceof FilterPatternError && error.awsMessage === message && error.position === position,
        `${pattern} should be refused with ${message} at ${position}`,
      );
    }
  });

  it('matches JSON patterns: strings, wildcards, numbers, nulls, booleans, existence, arrays, && || and parentheses', () => {
    check([
      ['{ $.eventType = "UpdateTrail" }', cloudTrail, true],
      ['{ $.eventType = UpdateTrail }', cloudTrail, true],
      ['{ $.eventType = "CreateTrail" }', cloudTrail, false],
      ['{ $.sourceIPAddress != 123.123.* }', cloudTrail, false],
      ['{ $.sourceIPAddress != 10.0.* }', cloudTrail, true],
      ['{ $.sourceIPAddress = 123.123.* }', cloudTrail, true],
      ['{ $.arrayKey[0] = "value" }', cloudTrail, true],
      ['{ $.arrayKey[1] = "value" }', cloudTrail, false],
      ['{ $.objectList[1].id = 2 }', cloudTrail, true],
      ['{ $.objectList[1].id = 1 }', cloudTrail, false],
      ['{ $.latency > 100 }', cloudTrail, true],
      ['{ $.latency >= 250 }', cloudTrail, true],
      ['{ $.latency < 250 }', cloudTrail, false],
      ['{ $.latency <= 250 }', cloudTrail, true],
      ['{ $.latency = 250 }', cloudTrail, true],
      ['{ $.latency != 250 }', cloudTrail, false],
      ['{ $.SomeObject IS NULL }', cloudTrail, true],
      ['{ $.latency IS NULL }', cloudTrail, false],
      ['{ $.SomeOtherObject NOT EXISTS }', cloudTrail, true],
      ['{ $.SomeObject NOT EXISTS }', cloudTrail, false],
      ['{ $.ThisFlag IS TRUE }', cloudTrail, true],
      ['{ $.ThisFlag IS FALSE }', cloudTrail, false],
      ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', cloudTrail, true],
      ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.level = "error" }', cloudTrail, true],
      ['{ $.user.id = 2 && ($.users[0].email = "nonmatch" || $.level = "error") }', cloudTrail, false],
      ['{ $.level = "error" && $.latency > 100 }', cloudTrail, true],
      ['{ $.level = "error" && $.latency > 1000 }', cloudTrail, false],
      ['{ $.missing.deeper = 1 }', cloudTrail, false],
      ['{ $.level = "error" }', 'not json at all', false],
      ['{ $.level = %^err% }', cloudTrail, true],
      ['{ $.latency > +100 }', cloudTrail, true],
      ['{ $.latency < +100 }', cloudTrail, false],
    ]);
  });

  it('matches space-delimited patterns with names, ellipses and conditions', () => {
    check([
      ['[ip, user, username, timestamp, request, status_code, bytes]', apache, true],
      ['[ip, user, username, timestamp, request, status_code]', apache, false],
      ['[ip, user, username, timestamp, request, status_code = 404, bytes]', apache404, true],
      ['[ip, user, username, timestamp, request, status_code = 404, bytes]', apache, false],
      ['[ip, user, ..., status_code = 404, bytes]', apache404, true],
      ['[..., status_code = 4*, bytes]', apache404, true],
      ['[..., status_code = 4*, bytes]', apache, false],
      ['[ip, user, username, timestamp, request = "*html*", status_code = 4*, bytes]', apache404, true],
      ['[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]', apache, false],
      ['[ip, user, username, timestamp, request, status_code != 4*, bytes]', apache, true],
      ['[ip, identity, user = admin, ...]', apache404, true],
      ['[ip, identity, user = admin, ...]', apache, false],
      ['[ip, ..., bytes > 2000]', apache404, true],
      ['[ip, ..., bytes > 2000]', apache, false],
      ['[ip, user, username, timestamp, request, status_code = 404 || status_code = 410, bytes]', apache404, true],
      ['[ip, user, username, timestamp, request, status_code = 200 && bytes < 1000, bytes]', apache, false],
      ['[ip, user, username, timestamp, request, status_code = 200 && bytes < 2000, bytes]', apache, true],
      ['[a, b, c]', 'x "quoted two words" [bracketed field]', true],
    ]);
  });

  it('refuses malformed patterns with the position of the problem', () => {
    const failing: [string, number][] = [
      ['"unterminated', 0],
      ['{ $.level = "error" ', 20],
      ['{ level = "error" }', 2],
      ['{ $.level ~ "error" }', 10],
      ['{ $.a IS MAYBE }', 6],
      ['{ $.a[x] = 1 }', 5],
      ['[ip, user', 9],
      ['[ip, ip]', 5],
      ['[ip, 9x]', 5],
      ['{ $.a = 1 } trailing', 12],
      ['%unterminated', 0],
      ['ERROR -', 7],
    ];
    for (const [pattern, position] of failing) {
      assert.throws(
        () => parseFilterPattern(pattern),
        (error: unknown) => error instanceof FilterPatternError && error.position === position,
        `${pattern} should fail at ${position}`,
      );
    }
  });
});

describe('filter pattern wildcards run in linear time', () => {
  const many = `${'*a'.repeat(12)}*b`;
  const text = 'a'.repeat(200);
  it('a JSON value with many `*` against a long value that almost matches, within the bound', async () => {
    assert.equal(await bounded('filterPattern', [`{ $.msg = "${many}" }`, JSON.stringify({ msg: text })]), false);
    assert.equal(await bounded('filterPattern', [`{ $.msg = "${many}" }`, JSON.stringify({ msg: `${text}b` })]), true);
  });
  it('a space-delimited field the same way', async () => {
    assert.equal(await bounded('filterPattern', [`[w = "${many}"]`, text]), false);
  });
});
