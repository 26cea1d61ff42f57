#!/usr/bin/env node
// Launcher: runs the compiled CLI (dist/); in a source checkout whose dist/ is missing or older than src/, runs src/ through tsx.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Keep TensorFlow's C++ start-up chatter (oneDNN notices) off the terminal unless asked for.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = `${root}src`;
const stamp = `${root}dist/.build-stamp`;

/** Newest modification time of src/ and everything in it (folders too, so a deleted file counts). */
function newestSourceTime() {
  let newest = statSync(src).mtimeMs;
  for (const entry of readdirSync(src, { recursive: true })) newest = Math.max(newest, statSync(`${src}/${entry}`).mtimeMs);
  return newest;
}

/** Why the CLI must run from source, or null to run dist/. The installed package ships no src/. */
function sourceReason() {
  if (!existsSync(src)) return null;
  if (process.env.EDGE_PRUNE_FROM_SOURCE === '1') return 'EDGE_PRUNE_FROM_SOURCE=1';
  if (!existsSync(stamp)) return 'dist/ is not built';
  return newestSourceTime() > statSync(stamp).mtimeMs ? 'src/ changed since the last build' : null;
}

const reason = sourceReason();
if (reason === null) {
  await import('../dist/cli/main.js');
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error(`edge-prune: ${reason} and tsx is not installed; run \`npm run build\` (or \`npm install\`) first`);
    process.exit(1);
  }
  // Only a person at a terminal sees the note; captured output (tests, scripts) stays the CLI's own.
  if (process.stderr.isTTY && reason !== 'EDGE_PRUNE_FROM_SOURCE=1') console.error(`edge-prune: ${reason}; running from source with tsx (\`npm run build\` for the fast start)`);
  register();
  await import('../src/cli/main.ts');
}
