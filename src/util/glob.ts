/**
 * @module util/glob
 * `*` wildcards for configured values (audiences: `https://*.my-service.com`), compiled once to a regular
 * expression from the (trusted) configuration; never from request input. `*` matches any run of characters
 * except `/`, so `https://*.my-service.com` cannot match `https://evil.example/x.my-service.com`.
 */

export type Matcher = (value: string) => boolean;

export function compileGlob(pattern: string): Matcher {
  if (!pattern.includes('*')) return (value) => value === pattern;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'))
    .join('[^/]*');
  const expression = new RegExp(`^${source}$`);
  return (value) => expression.test(value);
}

/** A matcher for any of the patterns. */
export function compileGlobs(patterns: readonly string[]): Matcher {
  const matchers = patterns.map(compileGlob);
  return (value) => matchers.some((match) => match(value));
}
