/**
 * The README's shell examples, in order. A ```sh block runs; a block right after a line
 * `<!-- not run by the suite: <why> -->` does not, and says why. Other fences (```text, bare ```)
 * are illustrations.
 */
export interface ReadmeExample {
  /** 1-based line of the opening fence, to point a failure at the README. */
  line: number;
  code: string;
  /** Why the suite does not run it, when it does not. */
  notRun?: string;
}

const notRunMarker = /^<!--\s*not run by the suite:\s*(.+?)\s*-->$/;

export function readmeExamples(text: string): ReadmeExample[] {
  const lines = text.split('\n');
  const examples: ReadmeExample[] = [];
  for (let index = 0; index < lines.length; index++) {
    // Fences may be indented (a block inside a list item); its lines lose that indentation.
    const fence = /^(\s*)```(\S*)\s*$/.exec(lines[index]!);
    if (!fence) continue;
    const indent = fence[1]!;
    const end = lines.findIndex((line, at) => at > index && line.trimEnd() === `${indent}\`\`\``);
    if (end === -1) throw new Error(`README line ${index + 1}: a code block is never closed`);
    if (fence[2] === 'sh') {
      const previous = lines.slice(0, index).reverse().find((line) => line.trim() !== '');
      const marker = previous === undefined ? null : notRunMarker.exec(previous.trim());
      const code = lines.slice(index + 1, end).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()));
      examples.push({ line: index + 1, code: code.join('\n'), ...(marker ? { notRun: marker[1]! } : {}) });
    }
    index = end;
  }
  return examples;
}
