/**
 * Temporary credentials at signature verification: valid only with their own session token and
 * only until they expire (ExpiredToken then, so SDKs refresh); a long-term key takes no token.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { verifySigV4 } from '../../../src/edge/sigv4.js';
import type { CredentialRecord } from '../../../src/store/types.js';

const issuedAt = 1_800_000_000;
const temporary: CredentialRecord = {
  accessKeyId: 'ASIAEXAMPLEEXAMPLE12',
  secretAccessKey: 'temporary-secret',
  accountId: '000000000000',
  principalArn: 'arn:aws:sts::000000000000:assumed-role/app/session',
  principalId: 'AROAEXAMPLEEXAMPLE123:session',
  isRoot: false,
  createdAt: issuedAt,
  sessionToken: 'the-session-token',
  session: { type: 'AssumedRole', issuedAt, expiresAt: issuedAt + 900, roleArn: 'arn:aws:iam::000000000000:role/app', roleName: 'app', sessionName: 'session', issuedTo: 'arn:aws:iam::000000000000:root' },
};
const longTerm: CredentialRecord = { accessKeyId: 'AKIAEXAMPLEEXAMPLE12', secretAccessKey: 'long-term-secret', accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root', isRoot: true, createdAt: issuedAt };
const lookup = async (id: string) => [temporary, longTerm].find((record) => record.accessKeyId === id);

async function signedRequest(credential: CredentialRecord, sessionToken: string | undefined, at: Date, presign = false) {
  const signer = new SignatureV4({
    credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey, ...(sessionToken !== undefined ? { sessionToken } : {}) },
    region: 'us-east-1',
    service: 'sts',
    sha256: Hash.bind(null, 'sha256'),
  });
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const request = new HttpRequest({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', path: '/', headers: { host: '127.0.0.1', 'content-type': 'application/x-www-form-urlencoded' }, body });
  const signed = presign ? await signer.presign(request, { signingDate: at, expiresIn: 300 }) : await signer.sign(request, { signingDate: at });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(signed.query ?? {})) query.append(key, String(value));
  return { method: 'POST', path: '/', query, headers: signed.headers, body: Buffer.from(body) };
}

const during = new Date((issuedAt + 60) * 1000);
const after = new Date((issuedAt + 900) * 1000);

describe('session tokens at signature verification', () => {
  it('accepts temporary credentials with their token, in the header or a presigned query', async () => {
    assert.equal((await verifySigV4(await signedRequest(temporary, 'the-session-token', during), lookup, during)).credential.accessKeyId, temporary.accessKeyId);
    assert.equal((await verifySigV4(await signedRequest(temporary, 'the-session-token', during, true), lookup, during)).credential.accessKeyId, temporary.accessKeyId);
  });

  it('refuses temporary credentials without their token, or with another one', async () => {
    for (const token of [undefined, 'another-token']) {
      await assert.rejects(verifySigV4(await signedRequest(temporary, token, during), lookup, during), { code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    }
  });

  it('answers ExpiredToken once the session has expired', async () => {
    await assert.rejects(verifySigV4(await signedRequest(temporary, 'the-session-token', after), lookup, after), {
      code: 'ExpiredTokenException',
      message: 'The security token included in the request is expired',
    });
  });

  it('refuses a session token sent with a long-term key', async () => {
    await assert.rejects(verifySigV4(await signedRequest(longTerm, 'the-session-token', during), lookup, during), { code: 'UnrecognizedClientException' });
    assert.equal((await verifySigV4(await signedRequest(longTerm, undefined, during), lookup, during)).credential.accessKeyId, longTerm.accessKeyId);
  });
});
