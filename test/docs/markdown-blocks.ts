/**
 * @module test/docs/markdown-blocks
 * What the docs tests need from a Markdown guide: its fenced code blocks (language, text, line, and the
 * `<!-- expect: <status> [body] -->` comment written right after a block), and a small interpreter for the
 * shell blocks: `curl` command lines (and `NAME=$(curl … | jq -r .field)` assignments, `$NAME` expansion)
 * turned into `fetch` calls. Only the curl flags the guides use are understood; anything else is an error,
 * so a guide cannot show a command the test silently skips.
 */

export interface Expectation {
  status: number;
  /** The expected body as written (JSON: a subset of the answer; otherwise the exact text). */
  body?: string;
}

export interface CodeBlock {
  lang: string;
  text: string;
  /** 1-based line of the opening fence. */
  line: number;
  expect?: Expectation;
}

const FENCE = /^```(\S*)\s*$/;
const EXPECT = /^<!--\s*expect:\s*(\d{3})\s*([\s\S]*?)\s*-->\s*$/;

/** The fenced blocks of a Markdown document, each with the expect comment following it (blank lines allowed). */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i].trim() !== '```'; i++) body.push(lines[i]);
    if (i >= lines.length) throw new Error(`line ${start + 1}: unclosed code fence`);
    const block: CodeBlock = { lang: open[1], text: body.join('\n'), line: start + 1 };
    let next = i + 1;
    while (next < lines.length && lines[next].trim() === '') next++;
    const expect = EXPECT.exec(lines[next] ?? '');
    if (expect) {
      block.expect = { status: Number(expect[1]), body: expect[2] === '' ? undefined : expect[2] };
      i = next;
    }
    blocks.push(block);
  }
  // An expect comment not right after a block would silently test nothing.
  const consumed = blocks.filter((block) => block.expect).length;
  const written = lines.filter((line) => /^\s*<!--\s*expect\b/.test(line)).length;
  if (consumed !== written) throw new Error(`${written - consumed} expect comment(s) follow no code block`);
  return blocks;
}

/** Joins `\` continuations, drops comments and blank lines. */
export function shellLines(text: string): string[] {
  // As bash: a backslash-newline disappears; the next line's indentation still separates words.
  const joined = text.replace(/\\\n/g, '');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** POSIX-style word splitting: single quotes literal, double quotes and bare words expand `$NAME`/`${NAME}`. */
export function shellWords(line: string, vars: Record<string, string>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const expand = (source: string, at: number): [string, number] => {
    const match = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/.exec(source.slice(at));
    if (!match) return ['$', at + 1];
    const name = match[1] ?? match[2];
    if (!(name in vars)) throw new Error(`unset shell variable $${name}`);
    return [vars[name], at + match[0].length];
  };
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      word = word ?? '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) {
          word += line[i + 1];
          i += 2;
        } else if (line[i] === '$') {
          const [value, next] = expand(line, i);
          word += value;
          i = next;
        } else {
          word += line[i++];
        }
      }
      if (i >= line.length) throw new Error(`unclosed " in: ${line}`);
      i++;
    } else if (c === '$') {
      const [value, next] = expand(line, i);
      word = (word ?? '') + value;
      i = next;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[i + 1];
      i += 2;
    } else if ('|;&<>`'.includes(c)) {
      throw new Error(`unsupported shell syntax ${c} in: ${line}`);
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

export interface CurlRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The request a `curl` command line sends (flags: -X, -u, -H, -d/--data, -b/--cookie, -s, -k, --basic). */
export function parseCurl(words: readonly string[]): CurlRequest {
  if (words[0] !== 'curl') throw new Error(`not a curl command: ${words.join(' ')}`);
  let method: string | undefined;
  let url: string | undefined;
  const headers: Record<string, string> = {};
  const data: string[] = [];
  const flagValue = (flag: string, i: number): [string, number] => {
    const word = words[i];
    if (word.length > flag.length && !word.startsWith('--')) return [word.slice(flag.length), i];
    if (i + 1 >= words.length) throw new Error(`${flag} needs a value`);
    return [words[i + 1], i + 1];
  };
  for (let i = 1; i < words.length; i++) {
    const word = words[i];
    let value: string;
    if (
      word === '-s' ||
      word === '--silent' ||
      word === '-k' ||
      word === '--insecure' ||
      word === '--basic'
    ) {
    } else if (word.startsWith('-X') || word === '--request') {
      [value, i] = flagValue('-X', i);
      method = value;
    } else if (word.startsWith('-u') || word === '--user') {
      [value, i] = flagValue('-u', i);
      headers.authorization = `Basic ${Buffer.from(value).toString('base64')}`;
    } else if (word.startsWith('-H') || word === '--header') {
      [value, i] = flagValue('-H', i);
      const colon = value.indexOf(':');
      if (colon < 0) throw new Error(`bad header ${value}`);
      headers[value.slice(0, colon).trim().toLowerCase()] = value.slice(colon + 1).trim();
    } else if (word.startsWith('-d') || word === '--data') {
      [value, i] = flagValue('-d', i);
      data.push(value);
    } else if (word.startsWith('-b') || word === '--cookie') {
      [value, i] = flagValue('-b', i);
      headers.cookie = value;
    } else if (word.startsWith('-')) {
      throw new Error(`curl flag ${word} is not understood by the docs test`);
    } else {
      if (url !== undefined) throw new Error(`two URLs: ${url} and ${word}`);
      url = /^https?:\/\//.test(word) ? word : `http://${word}`;
    }
  }
  if (url === undefined) throw new Error(`curl without URL: ${words.join(' ')}`);
  const request: CurlRequest = { method: method ?? (data.length > 0 ? 'POST' : 'GET'), url, headers };
  if (data.length > 0) {
    request.body = data.join('&');
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  return request;
}

export type Step =
  | { kind: 'start'; line: string }
  | { kind: 'curl'; line: string }
  | { kind: 'capture'; line: string; name: string; curl: string; path: string[] };

const CAPTURE = /^([A-Za-z_]\w*)=\$\((curl .*?)\s*\|\s*jq -r '?\.([\w.]+)'?\)$/;

/**
 * The steps of a shell block: curl commands, `NAME=$(curl … | jq -r .field)` captures, and `npm …` start-up
 * commands (the test starts the same servers in-process instead).
 */
export function shellSteps(text: string): Step[] {
  return shellLines(text).map((line) => {
    const capture = CAPTURE.exec(line);
    if (capture) {
      return { kind: 'capture', line, name: capture[1], curl: capture[2], path: capture[3].split('.') };
    }
    if (line.startsWith('curl ')) return { kind: 'curl', line };
    if (/^npm (run|start)\b/.test(line)) return { kind: 'start', line };
    throw new Error(`the docs test cannot run: ${line}`);
  });
}

/** Whether `actual` holds every member of `expected` (objects recursively; other values equal). */
export function containsJson(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) {
    return JSON.stringify(actual) === JSON.stringify(expected);
  }
  if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
  const record = actual as Record<string, unknown>;
  return Object.entries(expected).every(([key, value]) => key in record && containsJson(record[key], value));
}
