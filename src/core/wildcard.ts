/**
 * Wildcard matching for every filter a caller writes with `*` (ECR's tag-mutability exclusion
 * filters and lifecycle tagPatternList) and, with `?`, for IAM-style patterns (policy actions).
 *
 * No RegExp: a wildcard turned into `.*` runs on JavaScript's backtracking engine, where
 * `a*a*a*a*a*a*a*b` against 64 `a`s takes seconds and more stars never finish. This is the
 * greedy two-pointer match that backtracks to the LAST star only. Why that is enough: once a later
 * star has matched, anything an earlier star could still absorb, the later one can absorb too, so
 * only the last star's extent is ever worth revisiting.
 *
 * Bound: each step either advances the text pointer or restarts after the last star with that
 * star's extent one longer; a restart re-reads at most the pattern after that star. So at most
 * |text| × (|pattern| + 1) character comparisons, and linear in practice (each restart usually
 * fails on its first character).
 *
 * Worked example: pattern `a*b*c`, text `axbybc`.
 *   a = a            → pattern `*b*c`, text `xbybc`
 *   `*` (star 1)     → remember (pattern `b*c`, text `xbybc`); star takes nothing
 *   b ≠ x            → star 1 takes `x`; retry pattern `b*c` at `bybc`
 *   b = b            → pattern `*c`, text `ybc`
 *   `*` (star 2)     → remember (pattern `c`, text `ybc`); star 1 is never revisited again
 *   c ≠ y, c ≠ b     → star 2 takes `y`, then `yb`
 *   c = c            → both at their end: a match.
 */

export interface WildcardOptions {
  /** `?` stands for exactly one character (IAM). Default: `?` is literal (ECR). */
  questionMark?: boolean;
  /** Compare without regard to case (IAM actions). Default: exact. */
  ignoreCase?: boolean;
}

/**
 * Whether `text` matches `pattern` as a whole: `*` stands for any run of characters, including
 * none; with `questionMark`, `?` for exactly one; every other character matches itself.
 */
export function matchesWildcard(pattern: string, text: string, options: WildcardOptions = {}): boolean {
  const fold = (s: string) => (options.ignoreCase ? s.toLowerCase() : s);
  // Code points, so that `?` takes a whole character, not half of a surrogate pair.
  const p = Array.from(fold(pattern));
  const t = Array.from(fold(text));
  let pi = 0;
  let ti = 0;
  let star = -1; // index in p of the last star seen
  let starEnd = 0; // where in t the text that star takes ends
  while (ti < t.length) {
    const pc = p[pi];
    if (pc === '*') {
      star = pi++;
      starEnd = ti;
    } else if (pc !== undefined && (pc === t[ti] || (options.questionMark === true && pc === '?'))) {
      pi++;
      ti++;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++starEnd;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}
