/**
 * The demo's own refusals, in the page's language: an error carries the key of its words
 * (`errors` in views/<locale>/_words.njk) and at most one value to put in them; its message stays
 * the English one, for logs and for anyone reading the error rather than the page.
 */
export interface WordedError {
  wordsKey: string;
  wordsValue?: string;
}

export function worded<E extends Error>(error: E, key: string, value?: string): E & WordedError {
  return Object.assign(error, { wordsKey: key }, value === undefined ? {} : { wordsValue: value });
}

/** What error.njk gets to put an error into words: the key and value, when the error has them. */
export function wordsOf(error: unknown): Partial<WordedError> {
  const e = error as Partial<WordedError> | null;
  return e && typeof e.wordsKey === 'string' ? { wordsKey: e.wordsKey, ...(typeof e.wordsValue === 'string' ? { wordsValue: e.wordsValue } : {}) } : {};
}
