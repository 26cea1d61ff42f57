# Float16 copies of committed Keras fixtures (test/fixtures/keras/vgg_seq.{h5,keras} → vgg_seq_fp16.*): every float32 dataset stored as float16.
# Needs h5py and numpy only (no Keras): python3 scripts/make-float16-keras-fixtures.py
import io
import sys
import zipfile

import h5py
import numpy as np

DIR = 'test/fixtures/keras'


def halve(src, dst):
    """Rewrite an HDF5 file (path or file object) with float32 datasets as float16; groups and attributes kept."""
    with h5py.File(src, 'r') as a, h5py.File(dst, 'w') as b:
        for k, v in a.attrs.items():
            b.attrs[k] = v

        def copy(name, obj):
            if isinstance(obj, h5py.Group):
                g = b.require_group(name)
                for k, v in obj.attrs.items():
                    g.attrs[k] = v
            else:
                v = obj[()]
                d = b.create_dataset(name, data=v.astype(np.float16) if obj.dtype == np.float32 else v)
                for k, x in obj.attrs.items():
                    d.attrs[k] = x

        a.visititems(copy)


def halve_keras(src, dst):
    """A .keras zip with its model.weights.h5 halved; the other members copied as they are."""
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            data = a.read(info.filename)
            if info.filename == 'model.weights.h5':
                out = io.BytesIO()
                halve(io.BytesIO(data), out)
                data = out.getvalue()
            b.writestr(info.filename, data)


if __name__ == '__main__':
    name = sys.argv[1] if len(sys.argv) > 1 else 'vgg_seq'
    halve(f'{DIR}/{name}.h5', f'{DIR}/{name}_fp16.h5')
    halve_keras(f'{DIR}/{name}.keras', f'{DIR}/{name}_fp16.keras')
