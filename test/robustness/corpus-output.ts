// Corpus cases that attack the output folder: an existing file, the model's own folder, a path below a file.
import type { CorpusCase } from './case-types.ts';
import { text } from './case-types.ts';
import type { BaseFixture } from './corpus-base.ts';

/** Hostile --out folders (the model itself is valid). */
export function outputCases(bases: Map<string, BaseFixture>): CorpusCase[] {
  const base = bases.get('chain') as BaseFixture;
  const o = (what: string, out: string, files: CorpusCase['files'] = {}): CorpusCase => ({
    id: `output/${base.name}/${what}`, kind: 'output', base: base.name, files, run: { out }, expect: 'error', codes: ['IO_ERROR', 'INVALID_ARGUMENT'],
  });
  return [
    o('out is an existing file', 'afile', { afile: text('keep me') }),
    o('out is below an existing file', 'afile/sub', { afile: text('keep me') }),
    // Writing the pruned bundle over the model it was read from destroys the input.
    o("out is the model's own folder", '.'),
    o("out is the model's own folder by another name", 'link', { link: { type: 'symlink', target: '.' } }),
  ];
}
