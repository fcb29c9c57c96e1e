/**
 * @module authz/rules/lexer
 * Splits a claim rule into tokens: `(` `)` `,` `&&` `||` `!`, identifiers, double-quoted strings and
 * JSON-style numbers. A hand-written scanner, not regular expressions: the input is configuration that
 * may come from anywhere, and a scanner's cost is linear by construction.
 *
 * Strings know the escapes `\"`, `\\` and `\.`. Whether a string is a claim path or a value is the
 * parser's business, so each string token carries both readings: its text, and its keys split at the
 * unescaped dots (`"https://example\.com/roles"` is one key; `"address.country"` is two).
 */
import { type RuleSource, ruleError } from './position.ts';

export type Token =
  | { readonly kind: '(' | ')' | ',' | '&&' | '||' | '!' | 'end'; readonly offset: number }
  | { readonly kind: 'identifier'; readonly offset: number; readonly name: string }
  | {
      readonly kind: 'string';
      readonly offset: number;
      readonly value: string;
      readonly keys: readonly string[];
    }
  | { readonly kind: 'number'; readonly offset: number; readonly value: number };

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

function isIdentifierStart(char: string | undefined): boolean {
  return char !== undefined && ((char >= 'A' && char <= 'Z') || (char >= 'a' && char <= 'z') || char === '_');
}

function isIdentifierPart(char: string | undefined): boolean {
  return isIdentifierStart(char) || isDigit(char);
}

function isSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}

/** A character as an error message shows it: printable ASCII quoted, anything else as a code point. */
function showCharacter(text: string, offset: number): string {
  const code = text.codePointAt(offset) ?? 0;
  return code >= 0x21 && code <= 0x7e
    ? `'${text[offset]}'`
    : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

class Scanner {
  readonly #source: RuleSource;
  readonly #text: string;
  #offset = 0;

  constructor(source: RuleSource) {
    this.#source = source;
    this.#text = source.text;
  }

  tokens(): Token[] {
    const tokens: Token[] = [];
    for (;;) {
      while (this.#offset < this.#text.length && isSpace(this.#text[this.#offset])) this.#offset++;
      if (this.#offset >= this.#text.length) {
        tokens.push({ kind: 'end', offset: this.#offset });
        return tokens;
      }
      tokens.push(this.#token());
    }
  }

  #token(): Token {
    const text = this.#text;
    const offset = this.#offset;
    const char = text[offset];
    switch (char) {
      case '(':
      case ')':
      case ',':
      case '!':
        this.#offset++;
        return { kind: char, offset };
      case '&':
      case '|':
        if (text[offset + 1] !== char) throw ruleError(this.#source, offset, `expected '${char}${char}'`);
        this.#offset += 2;
        return { kind: char === '&' ? '&&' : '||', offset };
      case '"':
        return this.#string();
    }
    if (isDigit(char) || char === '-') return this.#number();
    if (isIdentifierStart(char)) {
      let end = offset + 1;
      while (isIdentifierPart(text[end])) end++;
      this.#offset = end;
      return { kind: 'identifier', offset, name: text.slice(offset, end) };
    }
    const note = char === '`' || char === "'" ? 'strings are double-quoted' : undefined;
    throw ruleError(this.#source, offset, `unexpected character ${showCharacter(text, offset)}`, note);
  }

  #string(): Token {
    const text = this.#text;
    const start = this.#offset;
    const keys: string[] = [];
    let value = '';
    let key = '';
    let index = start + 1;
    for (;;) {
      if (index >= text.length) throw ruleError(this.#source, start, 'unterminated string');
      const char = text[index];
      if (char === '"') break;
      if (char === '\\') {
        const escaped = text[index + 1];
        if (escaped === undefined) throw ruleError(this.#source, start, 'unterminated string');
        if (escaped !== '"' && escaped !== '\\' && escaped !== '.') {
          throw ruleError(this.#source, index, `unknown escape '\\${escaped}'`, 'allowed: \\" \\\\ and \\.');
        }
        value += escaped;
        key += escaped;
        index += 2;
      } else {
        value += char;
        if (char === '.') {
          keys.push(key);
          key = '';
        } else {
          key += char;
        }
        index++;
      }
    }
    keys.push(key);
    this.#offset = index + 1;
    return { kind: 'string', offset: start, value, keys };
  }

  /** JSON number syntax (RFC 8259 §6): no leading `+`, no leading zeros, no bare `.5` or `1.`. */
  #number(): Token {
    const text = this.#text;
    const start = this.#offset;
    let index = start;
    const digits = () => {
      if (!isDigit(text[index])) throw ruleError(this.#source, start, 'invalid number');
      while (isDigit(text[index])) index++;
    };
    if (text[index] === '-') index++;
    if (text[index] === '0') index++;
    else digits();
    if (text[index] === '.') {
      index++;
      digits();
    }
    if (text[index] === 'e' || text[index] === 'E') {
      index++;
      if (text[index] === '+' || text[index] === '-') index++;
      digits();
    }
    // `01`, `1x`, `1.2.3`: the number runs on into something that is not a delimiter.
    if (isIdentifierPart(text[index]) || text[index] === '.')
      throw ruleError(this.#source, start, 'invalid number');
    const value = Number(text.slice(start, index));
    if (!Number.isFinite(value)) throw ruleError(this.#source, start, 'number out of range');
    this.#offset = index;
    return { kind: 'number', offset: start, value };
  }
}

/** Tokenizes a rule; the last token is always `end`. Throws `configInvalid` with the position. */
export function tokenize(source: RuleSource): Token[] {
  return new Scanner(source).tokens();
}
