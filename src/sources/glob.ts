import path from 'node:path';

/** A glob pattern split into the directory to search from and a matcher for paths below it. @internal */
export interface Glob {
  /** The pattern as given. */
  readonly pattern: string;
  /** The longest leading directory without wildcards ('.' when the pattern starts with one). */
  readonly base: string;
  /** How many directory levels below `base` can match (Infinity with `**`). */
  readonly depth: number;
  /** True when `file` (as built by joining `base` and entries below it) matches the pattern. */
  matches(file: string): boolean;
}

const MAGIC = /[*?[{]/;

/** True when `value` has wildcards: `*`, `?`, `[...]`, `{a,b}`. @internal */
export function isGlob(value: string): boolean {
  return MAGIC.test(value);
}

/**
 * Compiles a shell-style pattern: `*` and `?` match within one path segment (not a leading dot),
 * `**` matches any number of directories, `[abc]`/`[!abc]` a character class, `{a,b}` alternatives.
 * @internal
 */
export function compileGlob(pattern: string): Glob {
  const segments = pattern.split('/');
  const baseSegments: string[] = [];
  while (segments.length > 1 && !isGlob(segments[0]!)) baseSegments.push(segments.shift()!);
  const base = baseSegments.length === 0 ? '.' : baseSegments.join('/') || '/';
  const depth = segments.includes('**') ? Infinity : segments.length - 1;
  const body = segments.map((segment, i) => segmentSource(segment, i === segments.length - 1)).join('');
  const prefix = base === '.' ? '' : base.endsWith('/') ? base : `${base}/`;
  const regex = new RegExp(`^${escape(prefix)}${body}$`);
  return {
    pattern,
    base,
    depth,
    matches: (file) => regex.test(base === '.' ? stripDot(file) : file),
  };
}

function stripDot(file: string): string {
  return file.startsWith(`.${path.sep}`) ? file.slice(2) : file;
}

/** Regex source for one segment, including the '/' that follows it unless it is the last. */
function segmentSource(segment: string, last: boolean): string {
  if (segment === '**') return last ? '(?:(?!\\.)[^/]*(?:/(?!\\.)[^/]*)*)?' : '(?:(?!\\.)[^/]*/)*';
  return `${segmentBody(segment)}${last ? '' : '/'}`;
}

function segmentBody(segment: string): string {
  let out = segment.startsWith('.') ? '' : '(?!\\.)';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let set = segment.slice(i + 1, close);
      if (set.startsWith('!')) set = '^' + set.slice(1);
      out += `[${set.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '{') {
      const close = segment.indexOf('}', i);
      if (close === -1) {
        out += '\\{';
        continue;
      }
      const alternatives = segment.slice(i + 1, close).split(',');
      out += `(?:${alternatives.map((alt) => segmentBody(alt).replace('(?!\\.)', '')).join('|')})`;
      i = close;
    } else if (c === '\\' && i + 1 < segment.length) {
      out += escape(segment[++i]!);
    } else out += escape(c);
  }
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
