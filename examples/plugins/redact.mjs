// redact: masks e-mail addresses and secrets in every line before it is printed.
//
//   tail-async --plugin ./examples/plugins/redact.mjs app.log
//
//   user alice@example.com logged in       ->  user ***@example.com logged in
//   Authorization: Bearer eyJhbGciOi...    ->  Authorization: Bearer [REDACTED]
//   GET /x?token=abc123&page=2             ->  GET /x?token=[REDACTED]&page=2
//   api_key=sk-live-42 password=hunter2    ->  api_key=[REDACTED] password=[REDACTED]
//   {"password":"hunter2","pin":1}         ->  {"password":"[REDACTED]","pin":1}
//
// A plugin is a plain ES module whose default export is a processor: an object with a `name` and a
// `process(text, ctx)` method that returns the new text (or undefined to keep the line, null to drop it).

/** `Bearer <token>` (HTTP Authorization headers). */
const BEARER = /\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi;
/**
 * `token=…`, `access_token=…`, `api_key=…`, `apikey: …`, `password=…`, `secret=…` and the same keys as
 * JSON members (`"password": "…"`). The value is a quoted string, or runs up to white space or one of
 * `, ; & } ]` (a value already redacted is left alone).
 */
const SECRET = /\b([\w.-]*?(?:token|api[_-]?key|password|passwd|secret)("?))(\s*[=:]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|\[REDACTED\]|[^\s&,;"'}\]]+)/gi;
/** An e-mail address; the local part is masked, the domain kept. */
const EMAIL = /[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})\b/g;

export default {
  name: 'redact',
  process(text) {
    const redacted = text
      .replace(BEARER, '$1 [REDACTED]')
      .replace(SECRET, (match, key, jsonKey, separator, value) => {
        // Keep the value quoted as it was; a JSON member's value becomes a string so the line stays JSON.
        const quote = jsonKey !== '' ? '"' : value[0] === '"' || value[0] === "'" ? value[0] : '';
        return `${key}${separator}${quote}[REDACTED]${quote}`;
      })
      .replace(EMAIL, '***@$1');
    // undefined keeps the line as it is, which saves the chain a copy.
    return redacted === text ? undefined : redacted;
  },
};
