// The queue address: `redis://[user:password@]host:port[/db]` parsed into connection options, and shown with its password masked.
import { fail } from '../core/errors.ts';

/** Connection options for ioredis/BullMQ, from a queue URL. */
export interface QueueConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
}

/** A parsed queue URL: the connection and the form safe to print (password replaced by `***`). */
export interface QueueAddress {
  connection: QueueConnection;
  shown: string;
}

/** The URL with any password replaced by `***` (unparseable text is hidden whole): the only form of a queue URL edge-prune prints or writes. */
export function maskQueueUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparseable queue URL)';
  }
}

/** Parse `redis://` or `rediss://` (TLS) `[user:password@]host[:port][/db]`; a typed error names what is wrong without echoing a password. */
export function parseQueueUrl(url: string): QueueAddress {
  const shown = maskQueueUrl(url);
  const bad = (found: string): never => fail('INVALID_ARGUMENT', {
    expected: 'a queue URL redis://[user:password@]host:port[/db]', found, where: '--queue',
    hint: 'start Redis (Debian: apt-get install redis-server) and pass e.g. --queue redis://127.0.0.1:6379',
  });
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bad(shown);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') bad(`the scheme ${u.protocol}`);
  if (!u.hostname) bad(`no host in ${shown}`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  if (!/^\d{0,2}$/.test(dbText)) bad(`the database "${dbText}" in ${shown} (a number 0..15)`);
  const db = dbText === '' ? 0 : Number(dbText);
  if (u.search || u.hash) bad(`query or fragment in ${shown}`);
  const connection: QueueConnection = {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port, db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  return { connection, shown };
}
