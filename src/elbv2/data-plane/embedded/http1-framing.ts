/**
 * Just enough HTTP/1.1 for the raw forwarding path (raw-http.ts): splitting a message head into
 * its start line and headers, and finding where a chunked body ends. Pure.
 */

export interface ParsedHead {
  startLine: string;
  /** [name as sent, value] in order. */
  lines: [string, string][];
  /** Values by lower-case name (repeated headers joined with ", ", set-cookie kept apart). */
  headers: Record<string, string>;
  setCookies: string[];
}

/**
 * Where a response head ends: its length (up to the blank line) and where the body starts, or
 * undefined until the blank line has arrived. A line may end in LF alone, as RFC 9112 (2.2) lets
 * a recipient accept: simple servers send their CGI scripts' LF-only headers as they are (busybox
 * httpd), and ALB, nginx and haproxy answer those, so a 502 here would be ours alone.
 *
 * Example: `HTTP/1.1 200 OK\r\nA: 1\n\nbody` has a head of 22 bytes and its body at 24.
 */
export function responseHeadEnd(buffer: Buffer): { headLength: number; bodyStart: number } | undefined {
  let from = 0;
  for (;;) {
    const lf = buffer.indexOf(10, from);
    if (lf < 0 || lf + 1 >= buffer.length) return undefined;
    const headLength = lf > 0 && buffer[lf - 1] === 13 ? lf - 1 : lf;
    if (buffer[lf + 1] === 10) return { headLength, bodyStart: lf + 2 };
    if (buffer[lf + 1] === 13) {
      if (lf + 2 >= buffer.length) return undefined;
      if (buffer[lf + 2] === 10) return { headLength, bodyStart: lf + 3 };
    }
    from = lf + 1;
  }
}

/**
 * Parses a head (the bytes before the blank line, latin1), or undefined when it is malformed.
 * Lines end in CRLF; with `bareLf` (a response's head, see responseHeadEnd), in LF alone too.
 */
/** RFC 9110's token characters: what a field name is made of (no space before the colon either). */
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Control characters other than horizontal tab, which a field value may hold. */
const fieldValueControl = /[\x00-\x08\x0a-\x1f\x7f]/;
const controlCharacter = /[\x00-\x1f\x7f]/;

export function parseHead(text: string, bareLf = false): ParsedHead | undefined {
  // Row by row with indexOf: the same rows as splitting on the line ends, without the array of them.
  const separator = bareLf ? '\n' : '\r\n';
  let startLine: string | undefined;
  const lines: [string, string][] = [];
  const headers: Record<string, string> = {};
  const setCookies: string[] = [];
  for (let from = 0; from <= text.length; ) {
    const found = text.indexOf(separator, from);
    const end = found < 0 ? text.length : found;
    let row = text.slice(from, end);
    if (bareLf && row.endsWith('\r')) row = row.slice(0, -1);
    from = found < 0 ? text.length + 1 : found + separator.length;
    if (startLine === undefined) {
      startLine = row;
      // A control character left in a line (a bare CR or LF above all) would let the two ends of the
      // proxy read different messages out of the same bytes: such a head is not ours to relay.
      if (controlCharacter.test(startLine)) return undefined;
      continue;
    }
    const colon = row.indexOf(':');
    if (colon <= 0 || row.charCodeAt(0) === 32 || row.charCodeAt(0) === 9) return undefined; // obsolete folding, no name
    const name = row.slice(0, colon);
    // Only spaces and tabs are optional whitespace around a value: String.prototype.trim would
    // also drop a vertical tab, a form feed or a latin1 no-break space, which node:http refuses
    // or keeps, and pass on a different header than the one received.
    const value = trimSpacesAndTabs(row, colon + 1);
    if (!headerName.test(name) || fieldValueControl.test(value)) return undefined;
    const lower = name.toLowerCase();
    lines.push([name, value]);
    if (lower === 'set-cookie') setCookies.push(value);
    else headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}, ${value}`;
  }
  return { startLine: startLine ?? '', lines, headers, setCookies };
}

/** `row` from `from` on, without the spaces and tabs around it (a loop: cheaper than a regular expression, per header). */
function trimSpacesAndTabs(row: string, from: number): string {
  let start = from;
  let end = row.length;
  while (start < end && (row.charCodeAt(start) === 32 || row.charCodeAt(start) === 9)) start++;
  while (end > start && (row.charCodeAt(end - 1) === 32 || row.charCodeAt(end - 1) === 9)) end--;
  return row.slice(start, end);
}

/**
 * Follows a chunked body across the pieces it arrives in: `feed` returns how many bytes of the
 * piece belong to the body (all of it, or up to and including the final CRLF).
 */
export class ChunkedEnd {
  private state: 'size' | 'data' | 'data-crlf' | 'trailer' = 'size';
  private line = '';
  private remaining = 0;
  done = false;

  feed(piece: Buffer): number {
    let i = 0;
    while (i < piece.length && !this.done) {
      switch (this.state) {
        case 'size': {
          const byte = piece[i++] as number;
          if (byte === 10) {
            const size = parseInt(this.line.split(';')[0]?.trim() ?? '', 16);
            this.line = '';
            if (Number.isNaN(size)) throw new Error('malformed chunk size');
            if (size === 0) this.state = 'trailer';
            else {
              this.remaining = size;
              this.state = 'data';
            }
          } else if (byte !== 13) this.line += String.fromCharCode(byte);
          break;
        }
        case 'data': {
          const take = Math.min(this.remaining, piece.length - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = 'data-crlf';
            this.remaining = 2;
          }
          break;
        }
        case 'data-crlf':
          i++;
          if (--this.remaining === 0) this.state = 'size';
          break;
        case 'trailer': {
          const byte = piece[i++] as number;
          if (byte === 10) {
            if (this.line === '') this.done = true;
            this.line = '';
          } else if (byte !== 13) this.line += String.fromCharCode(byte);
          break;
        }
      }
    }
    return i;
  }
}
