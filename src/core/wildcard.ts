/** ECR's wildcard filters: `*` stands for any run of characters, including none; everything else matches itself. */
export function matchesWildcard(pattern: string, text: string): boolean {
  const literal = (part: string) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&');
  return new RegExp(`^${pattern.split('*').map(literal).join('.*')}$`, 's').test(text);
}
