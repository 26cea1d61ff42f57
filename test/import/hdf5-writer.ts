// Writes small HDF5 files in tests with h5wasm (in memory): root attributes, and groups with weight_names and float datasets.
import { writeFile } from 'node:fs/promises';
import h5wasm from 'h5wasm';

/** One group: its weight_names attribute and datasets (path below the group → shape and values). */
export interface Hdf5Group {
  names: string[];
  data: Record<string, { shape: number[]; values: Float32Array }>;
}

let counter = 0;

/** Write an HDF5 file at `path`. */
export async function writeHdf5(path: string, attrs: Record<string, string | string[]>, groups: Record<string, Hdf5Group>): Promise<void> {
  const { FS } = await h5wasm.ready;
  const name = `/test-writer-${process.pid}-${counter++}.h5`;
  const f = new h5wasm.File(name, 'w');
  const parentsOf = (p: string): void => {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) if (!f.get(parts.slice(0, i).join('/'))) f.create_group(parts.slice(0, i).join('/'));
  };
  for (const [k, v] of Object.entries(attrs)) f.create_attribute(k, v);
  for (const [g, spec] of Object.entries(groups)) {
    parentsOf(g);
    const group = f.get(g) ?? f.create_group(g);
    (group as InstanceType<typeof h5wasm.Group>).create_attribute('weight_names', spec.names);
    for (const [d, { shape, values }] of Object.entries(spec.data)) {
      parentsOf(`${g}/${d}`);
      f.create_dataset({ name: `${g}/${d}`, data: values, shape });
    }
  }
  f.close();
  await writeFile(path, FS.readFile(name));
  FS.unlink(name);
}
