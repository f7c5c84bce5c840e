/**
 * A database URL fit for messages, logs, status and the database itself:
 * the password (and any `password=` query parameter) replaced by `***`.
 * A string that does not parse as a URL is reduced to its scheme, since it
 * may still hold a secret.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0];
    return scheme ? `${scheme}//(unparsable URL)` : '(unparsable URL)';
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass|secret|token|sslkey|sslpassword/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}

/** `text` with every occurrence of the URL's password replaced (for driver error messages that might quote it). */
export function scrubPassword(text: string, url: string): string {
  let password: string;
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return text;
  }
  return password ? text.split(password).join('***') : text;
}
