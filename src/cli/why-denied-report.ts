/**
 * `berth why-denied`'s answer in words: the decision, each deciding statement with the policy it
 * belongs to and its text with line numbers (SimulatePrincipalPolicy's StartPosition and
 * EndPosition), and for an implicit deny every policy that was considered, the condition keys
 * the request lacked and whether a permissions boundary stood in the way. Pure: the command
 * fetches, this formats.
 */
import type { EvaluationResult, Statement } from '@aws-sdk/client-iam';
import type { KnownPolicy } from './why-denied-policies.js';

export interface DecidingStatement {
  policy?: KnownPolicy;
  sourcePolicyId: string;
  sid?: string;
  /** The statement's lines, numbered as in the policy. */
  lines: { number: number; text: string }[];
}

/** The deciding statement's text and Sid, out of its policy's document. */
export function decidingStatement(matched: Statement, policies: readonly KnownPolicy[]): DecidingStatement {
  const policy = policies.find((candidate) => candidate.id === matched.SourcePolicyId && candidate.type === matched.SourcePolicyType);
  const found: DecidingStatement = { sourcePolicyId: matched.SourcePolicyId ?? '', lines: [], ...(policy ? { policy } : {}) };
  const start = matched.StartPosition;
  const end = matched.EndPosition;
  if (!policy?.document || start?.Line === undefined || end?.Line === undefined) return found;
  const all = policy.document.split('\n');
  for (let number = start.Line; number <= end.Line && number <= all.length; number++) found.lines.push({ number, text: all[number - 1]!.replace(/\r$/, '') });
  // The statement object itself, from its `{` to its `}`, names its Sid.
  const first = all[start.Line - 1]?.slice((start.Column ?? 1) - 1) ?? '';
  const middle = all.slice(start.Line, end.Line - 1);
  const last = all[end.Line - 1]?.slice(0, end.Column ?? 0) ?? '';
  const text = start.Line === end.Line ? (all[start.Line - 1] ?? '').slice((start.Column ?? 1) - 1, end.Column ?? 0) : [first, ...middle, last].join('\n');
  try {
    const sid = (JSON.parse(text) as { Sid?: unknown }).Sid;
    if (typeof sid === 'string' && sid !== '') found.sid = sid;
  } catch {
    // A statement the positions do not delimit exactly is printed without its Sid.
  }
  return found;
}

function describeStatement(statement: DecidingStatement): string[] {
  const which = statement.sid ? `statement "${statement.sid}"` : 'a statement';
  const policy = statement.policy;
  const of = policy ? `${policy.arn ?? policy.id}, ${policy.where}` : statement.sourcePolicyId;
  const [first, last] = [statement.lines[0]?.number, statement.lines.at(-1)?.number];
  const range = first === undefined ? '' : first === last ? `, line ${first}:` : `, lines ${first}-${last}:`;
  const width = String(statement.lines.at(-1)?.number ?? 0).length;
  return [`  ${which} of ${of}${range}`, ...statement.lines.map((line) => `    ${String(line.number).padStart(width)} | ${line.text}`)];
}

export interface WhyDeniedInput {
  principal: string;
  result: EvaluationResult;
  policies: readonly KnownPolicy[];
  /** Set when the principal was a role session: session policies are not part of the simulation. */
  sessionOf?: string;
}

export function whyDeniedReport({ principal, result, policies, sessionOf }: WhyDeniedInput): string[] {
  const subject = `${principal} ${result.EvalActionName} on ${result.EvalResourceName}`;
  const statements = (result.MatchedStatements ?? []).map((matched) => decidingStatement(matched, policies));
  const lines: string[] = [];
  if (sessionOf) lines.push(`(simulated as role ${sessionOf}: the policies of the role; a session policy, if the session has one, is not included)`);
  switch (result.EvalDecision) {
    case 'allowed':
      lines.push(`Allowed: ${subject}.`);
      if (statements.length > 0) lines.push(statements.length === 1 ? 'Allowed by:' : 'Allowed by each of:', ...statements.flatMap(describeStatement));
      break;
    case 'explicitDeny':
      lines.push(`Denied explicitly: ${subject}.`, statements.length === 1 ? 'Denied by:' : 'Denied by each of:', ...statements.flatMap(describeStatement));
      break;
    default: {
      const boundary = result.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary === false;
      lines.push(`Denied implicitly: ${subject}: ${boundary ? 'the permissions boundary does not allow it' : 'no statement allows it'}.`);
      lines.push(policies.length === 0 ? 'Policies considered: none (the principal has no policies).' : 'Policies considered:');
      const width = Math.max(0, ...policies.map((policy) => policy.id.length));
      for (const policy of policies) lines.push(`  ${policy.id.padEnd(width)}  ${policy.arn ? `${policy.arn}, ${policy.where}` : policy.where}`);
    }
  }
  const missing = result.MissingContextValues ?? [];
  if (missing.length > 0) lines.push(`Condition keys the policies test but the request lacks: ${missing.join(', ')} (give them with --context key=value).`);
  return lines;
}
