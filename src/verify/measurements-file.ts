// The calibration feedback file: every verify run appends its per-run figures to <export-dir>/measurements.json (atomically).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../core/atomic-write.ts';
import { fail } from '../core/errors.ts';
import { RUNTIMES } from '../core/schemas.ts';
import type { Measurement } from './types.ts';

/** File name inside the export folder. */
export const MEASUREMENTS_FILE = 'measurements.json';
/** Most records kept (oldest dropped first). */
export const MAX_RECORDS = 500;

const runtime = z.enum(RUNTIMES);

/**
 * One record as stored. `calibrate` needs: the method (only `device` measures the device; `local`
 * measures the host), the profile and runtime measured, the per-run times, and the model file.
 */
const recordSchema = z.looseObject({
  method: z.enum(['local', 'emulated', 'device']),
  target: z.string(),
  profile: z.string(),
  runtime,
  targetRuntime: runtime,
  backend: z.string(),
  threads: z.number().int().positive(),
  warmup: z.number().int().nonnegative(),
  runs: z.number().int().positive(),
  medianMs: z.number().nonnegative(),
  runsMs: z.array(z.number().nonnegative()).min(1),
  firstRunMs: z.number().nonnegative(),
  predictedMs: z.number().nullable(),
  predictedBy: z.object({ profile: z.string(), runtime }).nullable(),
  throttlingRate: z.number().nullable(),
  model: z.object({ format: z.enum(['tfjs', 'tfjs-graph', 'onnx']), file: z.string(), bytes: z.number().int().nonnegative() }),
  measuredAt: z.string(),
  label: z.string(),
});

const fileSchema = z.object({
  version: z.literal(1),
  producer: z.literal('edge-prune verify'),
  measurements: z.array(recordSchema),
});

/** The measurements file. */
export interface MeasurementsFile {
  version: 1;
  producer: 'edge-prune verify';
  measurements: Measurement[];
}

/**
 * Read a measurements file (for `edge-prune calibrate` to fold device figures into a profile). A
 * missing file is an empty list; a malformed one is INVALID_JSON / INVALID_DATA naming the file.
 */
export async function readMeasurements(path: string): Promise<MeasurementsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { version: 1, producer: 'edge-prune verify', measurements: [] };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    fail('INVALID_JSON', { expected: 'valid JSON', found: (error as Error).message, where: path, hint: `delete ${MEASUREMENTS_FILE} or restore it; verify writes it again` });
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail('INVALID_DATA', { expected: 'an edge-prune measurements file', found: `${issue?.message ?? 'invalid'} at ${issue?.path.join('.') || '(top level)'}`, where: path, hint: `delete ${MEASUREMENTS_FILE}; verify writes it again` });
  }
  return parsed.data as unknown as MeasurementsFile;
}

/** Append a measurement to `<exportDir>/measurements.json`, written to a temporary name and renamed. */
export async function appendMeasurement(exportDir: string, measurement: Measurement): Promise<string> {
  const path = join(exportDir, MEASUREMENTS_FILE);
  const current = await readMeasurements(path);
  const measurements = [...current.measurements, measurement].slice(-MAX_RECORDS);
  await writeJsonAtomic(path, { version: 1, producer: 'edge-prune verify', measurements } satisfies MeasurementsFile);
  return path;
}
