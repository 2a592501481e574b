/**
 * POSIX shell quoting. A value that passes through `shellQuote` is one word to `sh` whatever it holds: spaces, quotes,
 * `$(...)`, backticks, globs, newlines. Words made only of safe characters are left bare so commands stay readable.
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(word: string): string {
  if (word !== '' && SAFE_WORD.test(word)) return word;
  // Inside single quotes nothing is special; a single quote itself closes, is escaped, and reopens.
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line from words, each quoted as needed. */
export function shellJoin(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
