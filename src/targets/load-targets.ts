// Loads and validates device profiles (profiles/*.json) and deployment targets (targets/*.json).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../core/package-root.ts';
import { fail } from '../core/errors.ts';
import { ProfileSchema, TargetSchema, parseConfig, type Profile, type Target } from '../core/schemas.ts';

/** The package folder (defined in core/package-root.ts; re-exported for callers of this module). */
export { PACKAGE_ROOT };

/** Where to look for profiles and targets (tests point this at a temporary folder). */
export interface ConfigRoot {
  root?: string;
}

/** A target with the profile it names, both validated. */
export interface LoadedTarget {
  target: Target;
  profile: Profile;
  /** The target file as read. */
  file: string;
}

/** A file path as shown in messages: relative to the working folder when shorter. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}

/** Read and parse a JSON file, with INVALID_JSON/IO_ERROR naming it. */
function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail('IO_ERROR', { expected: 'a readable file', found: (error as Error).message, where: shown(path), hint: 'check the path and its permissions' });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    fail('INVALID_JSON', { expected: 'valid JSON', found: (error as Error).message, where: shown(path), hint: 'fix the JSON syntax (a trailing comma or a missing quote is the usual cause)' });
  }
}

/** Names of the `.json` files of a folder, sorted. */
function namesIn(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Resolve a name or a path to a file in `kind` (profiles or targets). */
function resolveFile(kind: 'profiles' | 'targets', nameOrPath: string, options: ConfigRoot): string {
  const folder = join(options.root ?? PACKAGE_ROOT, kind);
  const isPath = nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json');
  const path = isPath ? resolve(nameOrPath) : join(folder, `${nameOrPath}.json`);
  if (!existsSync(path)) {
    const names = namesIn(folder);
    fail('INVALID_ARGUMENT', {
      expected: isPath ? `an existing ${kind.slice(0, -1)} file` : `one of the ${kind}: ${names.join(', ') || '(none)'}`,
      found: isPath ? `no file at ${nameOrPath}` : `"${nameOrPath}"`,
      where: isPath ? nameOrPath : `${kind}/`,
      hint: kind === 'targets' ? 'run `edge-prune targets` to list targets, or pass a path to a target JSON file' : `add profiles/${nameOrPath}.json or pick a listed profile`,
    });
  }
  return path;
}

/** Fail when the `name` field differs from the file name (for files inside the package folders). */
function requireNameMatches(config: { name: string }, path: string, isNamed: boolean): void {
  const stem = basename(path, '.json');
  if (isNamed && config.name !== stem) {
    fail('INVALID_CONFIG', {
      expected: `"${stem}" (the file name)`,
      found: JSON.stringify(config.name),
      where: `${shown(path)}: field name`,
      hint: 'a profile or target is named by its file; make the name field match it',
    });
  }
}

/** Load and validate a profile by name (`profiles/<name>.json`) or by path. */
export function loadProfile(nameOrPath: string, options: ConfigRoot = {}): Profile {
  const path = resolveFile('profiles', nameOrPath, options);
  const profile = parseConfig(ProfileSchema, readJson(path), shown(path));
  requireNameMatches(profile, path, !nameOrPath.endsWith('.json'));
  return profile;
}

/** Check that the target's runtime and backend settings exist in its profile. */
function checkAgainstProfile(target: Target, profile: Profile, file: string): void {
  const model = profile.runtimes[target.runtime];
  if (!model) {
    fail('INVALID_CONFIG', {
      expected: `a runtime profile "${profile.name}" models (${Object.keys(profile.runtimes).join(', ')})`,
      found: `"${target.runtime}"`,
      where: `${file}: field runtime`,
      hint: `pick one of the listed runtimes, or add coefficients for ${target.runtime} to profiles/${profile.name}.json`,
    });
  }
  if (model.threads !== target.backend.threads || model.simd !== target.backend.simd) {
    const field = model.threads !== target.backend.threads ? 'threads' : 'simd';
    fail('INVALID_CONFIG', {
      expected: `${field} ${JSON.stringify(model[field])}, as profile "${profile.name}" models ${target.runtime}`,
      found: JSON.stringify(target.backend[field]),
      where: `${file}: field backend.${field}`,
      hint: 'the latency coefficients describe one backend setting; match it or add a profile for the other setting',
    });
  }
}

/** Load and validate a target by name (`targets/<name>.json`) or path, with its profile. */
export function loadTarget(nameOrPath: string, options: ConfigRoot = {}): LoadedTarget {
  const path = resolveFile('targets', nameOrPath, options);
  const file = shown(path);
  const target = parseConfig(TargetSchema, readJson(path), file);
  requireNameMatches(target, path, !nameOrPath.endsWith('.json'));
  let profile: Profile;
  try {
    profile = loadProfile(target.profile, options);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'INVALID_ARGUMENT') {
      fail('INVALID_CONFIG', {
        expected: `a profile in profiles/ (${namesIn(join(options.root ?? PACKAGE_ROOT, 'profiles')).join(', ')})`,
        found: JSON.stringify(target.profile),
        where: `${file}: field profile`,
        hint: 'name an existing profile or add profiles/<name>.json',
      });
    }
    throw error;
  }
  checkAgainstProfile(target, profile, file);
  return { target, profile, file };
}

/** Every target in `targets/`, validated with its profile, sorted by name. */
export function listTargets(options: ConfigRoot = {}): LoadedTarget[] {
  return namesIn(join(options.root ?? PACKAGE_ROOT, 'targets')).map((name) => loadTarget(name, options));
}

/** Every profile in `profiles/`, validated, sorted by name. */
export function listProfiles(options: ConfigRoot = {}): Profile[] {
  return namesIn(join(options.root ?? PACKAGE_ROOT, 'profiles')).map((name) => loadProfile(name, options));
}

/** Path of a profile file by name (for writing a calibrated profile back). */
export function profilePath(name: string, options: ConfigRoot = {}): string {
  return join(options.root ?? PACKAGE_ROOT, 'profiles', `${name}.json`);
}
