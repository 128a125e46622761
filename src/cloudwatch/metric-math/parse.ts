/**
 * The parser of CloudWatch metric math expressions Berth evaluates: numbers, query ids (m1, e1),
 * + - * / with the usual precedence and parentheses, unary minus, string literals (for METRICS's
 * label filter), and function calls NAME(arg, …). Errors name the position (1-based) of the problem.
 */

export type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'id'; name: string; at: number }
  | { kind: 'word'; name: string; at: number }
  | { kind: 'negate'; operand: Expr }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '^'; left: Expr; right: Expr }
  | { kind: 'call'; name: string; args: Expr[]; at: number };

export class MathError extends Error {}

type Token = { kind: 'number' | 'name' | 'string' | 'punct'; text: string; at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    if (/\s/.test(char)) {
      i += 1;
      continue;
    }
    const rest = source.slice(i);
    const number = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(rest);
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], at: i + 1 });
      i += number[0].length;
    } else if (name) {
      tokens.push({ kind: 'name', text: name[0], at: i + 1 });
      i += name[0].length;
    } else if (char === '"' || char === "'") {
      const end = source.indexOf(char, i + 1);
      if (end < 0) throw new MathError(`Unterminated string at position ${i + 1}.`);
      tokens.push({ kind: 'string', text: source.slice(i + 1, end), at: i + 1 });
      i = end + 1;
    } else if ('+-*/^(),'.includes(char)) {
      tokens.push({ kind: 'punct', text: char, at: i + 1 });
      i += 1;
    } else {
      throw new MathError(`Unexpected character '${char}' at position ${i + 1}.`);
    }
  }
  return tokens;
}

export function parseExpression(source: string): Expr {
  const tokens = tokenize(source);
  let index = 0;
  const peek = () => tokens[index];
  const expect = (text: string) => {
    const token = tokens[index];
    if (!token || token.text !== text) throw new MathError(`Expected '${text}' at position ${token?.at ?? source.length + 1}.`);
    index += 1;
  };
  const precedence: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '^': 3 };

  const primary = (): Expr => {
    const token = tokens[index];
    if (!token) throw new MathError(`Unexpected end of expression at position ${source.length + 1}.`);
    index += 1;
    if (token.kind === 'number') return { kind: 'number', value: Number(token.text) };
    if (token.kind === 'string') return { kind: 'string', value: token.text };
    if (token.kind === 'punct' && token.text === '(') {
      const inner = binary(0);
      expect(')');
      return inner;
    }
    if (token.kind === 'punct' && token.text === '-') return { kind: 'negate', operand: binary(3) };
    if (token.kind === 'name') {
      if (peek()?.text === '(') {
        index += 1;
        const args: Expr[] = [];
        if (peek()?.text !== ')') {
          args.push(binary(0));
          while (peek()?.text === ',') {
            index += 1;
            args.push(binary(0));
          }
        }
        expect(')');
        return { kind: 'call', name: token.text.toUpperCase(), args, at: token.at };
      }
      // Lower-case-led names are query ids; upper-case words are keywords (FILL's REPEAT, LINEAR).
      return /^[a-z]/.test(token.text) ? { kind: 'id', name: token.text, at: token.at } : { kind: 'word', name: token.text, at: token.at };
    }
    throw new MathError(`Unexpected '${token.text}' at position ${token.at}.`);
  };

  // Precedence climbing: ^ binds tightest and to the right, then * /, then + -.
  const binary = (minimum: number): Expr => {
    let left = primary();
    for (;;) {
      const token = peek();
      const level = token && token.kind === 'punct' ? precedence[token.text] : undefined;
      if (level === undefined || level < minimum) break;
      index += 1;
      const right = binary(token!.text === '^' ? level : level + 1);
      left = { kind: 'binary', op: token!.text as '+', left, right };
    }
    return left;
  };

  const expr = binary(0);
  if (index < tokens.length) throw new MathError(`Unexpected '${tokens[index]!.text}' at position ${tokens[index]!.at}.`);
  return expr;
}

/** The query ids an expression reads (METRICS() reads every MetricStat query). */
export function referencedIds(expr: Expr): { ids: string[]; allMetrics: boolean } {
  const ids: string[] = [];
  let allMetrics = false;
  const walk = (node: Expr) => {
    if (node.kind === 'id') ids.push(node.name);
    else if (node.kind === 'negate') walk(node.operand);
    else if (node.kind === 'binary') (walk(node.left), walk(node.right));
    else if (node.kind === 'call') {
      if (node.name === 'METRICS') allMetrics = true;
      node.args.forEach(walk);
    }
  };
  walk(expr);
  return { ids, allMetrics };
}
