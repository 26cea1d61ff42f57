// Named sections of bench/RESULTS.md (<!-- section:NAME --> … <!-- /section:NAME -->): each benchmark rewrites its own and keeps the others.
import { readFile } from 'node:fs/promises';

/** The marked sections of a Markdown text, whole (markers included), by name. */
export function readSections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/<!-- section:([\w-]+) -->[\s\S]*?<!-- \/section:\1 -->/g)) out.set(m[1] as string, m[0]);
  return out;
}

/** `body` wrapped in the markers of section `name`. */
export function wrapSection(name: string, body: string): string {
  return `<!-- section:${name} -->\n${body.trimEnd()}\n<!-- /section:${name} -->`;
}

/** `text` with section `name` replaced by (or, when absent, followed by) `section` (already wrapped). */
export function putSection(text: string, name: string, section: string): string {
  const old = readSections(text).get(name);
  if (old !== undefined) return text.replace(old, () => section);
  return `${text.trimEnd()}\n\n${section}\n`;
}

/** A newly rendered whole file, with every marked section of the file on disk that it lacks appended. */
export async function keepSections(path: string, rendered: string): Promise<string> {
  let old = '';
  try {
    old = await readFile(path, 'utf8');
  } catch {
    return rendered;
  }
  let out = rendered;
  const mine = readSections(rendered);
  for (const [name, section] of readSections(old)) if (!mine.has(name)) out = putSection(out, name, section);
  return out;
}
