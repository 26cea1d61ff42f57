// The real fixtures the corpus mutates, held in memory, with helpers to edit a copy of their model.json.
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { analyzeModel } from '../../src/analyze/analyze-model.ts';
import type { ChannelGroup } from '../../src/core/types.ts';
import { readBundle } from '../../src/bundle/read-bundle.ts';
import { ensureFixture, type FixtureName } from '../fixtures/build-fixtures.ts';
import { json, type FileSpec } from './case-types.ts';

/** A model.json (or plan, profile) as parsed JSON: the corpus edits it freely, so it is untyped. */
export type Json = any;

/** One fixture's files and channel groups. */
export interface BaseFixture {
  name: FixtureName;
  /** Folder of the generated fixture. */
  dir: string;
  /** Parsed model.json. */
  model: Json;
  /** model.json as stored. */
  modelText: string;
  /** Shard file name to bytes. */
  shards: Map<string, Uint8Array>;
  groups: ChannelGroup[];
}

/** Fixtures the corpus draws from (small ones, so hundreds of cases run in seconds). */
export const CORPUS_FIXTURES: readonly FixtureName[] = ['chain', 'flatten-dense', 'inception', 'mobilenetv2', 'squeeze-excite'];

/** Load the fixtures (generated when missing) with their groups. */
export async function loadBases(names: readonly FixtureName[] = CORPUS_FIXTURES): Promise<Map<FixtureName, BaseFixture>> {
  const out = new Map<FixtureName, BaseFixture>();
  for (const name of names) {
    const modelJson = await ensureFixture(name);
    const dir = dirname(modelJson);
    const modelText = await readFile(modelJson, 'utf8');
    const shards = new Map<string, Uint8Array>();
    for (const f of (await readdir(dir)).sort()) if (f.endsWith('.bin')) shards.set(f, new Uint8Array(await readFile(join(dir, f))));
    const { groups } = analyzeModel(await readBundle(modelJson));
    out.set(name, { name, dir, model: JSON.parse(modelText), modelText, shards, groups });
  }
  return out;
}

/** The list of layer objects of a (copied) model.json, Sequential or functional. */
export function layersOf(model: Json): Json[] {
  const topology = model.modelTopology;
  const config = (topology.model_config ?? topology).config;
  return Array.isArray(config) ? config : config.layers;
}

/** The model config object (`{class_name, config}`) of a (copied) model.json. */
export function modelConfigOf(model: Json): Json {
  return model.modelTopology.model_config ?? model.modelTopology;
}

/** The first layer of a class, or undefined. */
export function layerOfClass(model: Json, className: string): Json | undefined {
  return layersOf(model).find((l: Json) => l.class_name === className);
}

/** The name of a layer object. */
export function nameOf(layer: Json): string {
  return layer.name ?? layer.config.name;
}

/** The weight specs of the first manifest group of a (copied) model.json. */
export function specsOf(model: Json): Json[] {
  return model.weightsManifest[0].weights;
}

/** A copy of the base's model.json edited by `edit`, as a file. */
export function editModel(base: BaseFixture, edit: (model: Json) => void): FileSpec {
  const copy = structuredClone(base.model);
  edit(copy);
  return json(copy);
}

/** The name of the base's only (first) shard file. */
export function firstShard(base: BaseFixture): string {
  return [...base.shards.keys()][0] as string;
}

/** Byte offset of a named weight in the first shard (float32 fixtures), or -1. */
export function weightOffset(base: BaseFixture, weightName: string): number {
  let offset = 0;
  for (const spec of specsOf(base.model)) {
    if (spec.name === weightName) return offset;
    offset += 4 * (spec.shape as number[]).reduce((a, b) => a * b, 1);
  }
  return -1;
}

/** A text with `depth` nested arrays (deeper than any recursive JSON walker's stack allows). */
export function nestedArrays(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** Replace the JSON value at the first occurrence of `"key": <value>` in text with raw JSON text. */
export function replaceRaw(modelText: string, key: string, raw: string): string {
  const re = new RegExp(`"${key}"\\s*:\\s*(null|true|false|-?[0-9.eE+-]+|"[^"]*")`);
  if (!re.test(modelText)) throw new Error(`corpus: no scalar field "${key}" to replace`);
  return modelText.replace(re, `"${key}": ${raw}`);
}
