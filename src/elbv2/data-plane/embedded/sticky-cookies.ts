/**
 * The cookies ALB sets for stickiness, and reading them back. ALB encrypts its cookies; here the
 * value is base64url of [target group ARN, target key, expiry in epoch ms], enough to route the
 * client back while the cookie is valid and to ignore one from another target group.
 *  - AWSALB (lb_cookie): the target, for durationSeconds.
 *  - AWSALBAPP-0 (app_cookie): the target, set whenever the target sets its application cookie.
 *  - AWSALBTG: the target group of a weighted forward action with group stickiness.
 */

export const lbCookie = 'AWSALB';
export const appCookie = 'AWSALBAPP-0';
export const groupCookie = 'AWSALBTG';

export function encodeSticky(targetGroupArn: string, key: string, expiresAt: number): string {
  return Buffer.from(JSON.stringify([targetGroupArn, key, expiresAt])).toString('base64url');
}

/** The key the cookie names, if it is valid for this target group at `now`. */
export function decodeSticky(value: string | undefined, targetGroupArn: string, now: number): string | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed[0] !== targetGroupArn || typeof parsed[1] !== 'string' || typeof parsed[2] !== 'number') return undefined;
    return parsed[2] > now ? parsed[1] : undefined;
  } catch {
    return undefined;
  }
}

/** The value of one cookie in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    if (part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim();
  }
  return undefined;
}

export function setCookie(name: string, value: string, expiresAt: number): string {
  return `${name}=${value}; Expires=${new Date(expiresAt).toUTCString()}; Path=/`;
}

/** Whether a Set-Cookie list sets the cookie `name`. */
export function setsCookie(setCookies: string[] | undefined, name: string): boolean {
  return (setCookies ?? []).some((line) => line.slice(0, line.indexOf('=')).trim() === name);
}
