#!/usr/bin/env python3
"""Makes the Keras import fixtures under test/fixtures/keras/: small CNNs saved as .keras and legacy .h5,
plus Keras's own outputs on seeded inputs (<name>.ref.json). Tests never run Python; rerun this only to
regenerate the committed files.

Throw-away virtual environment (Keras 3 on the torch backend; never a dependency of edge-prune):

    python3 -m venv /tmp/kvenv
    /tmp/kvenv/bin/pip install --index-url file:///opt/pypi/simple \
        --extra-index-url file:///opt/pypi-more/simple --find-links /opt/wheels keras h5py torch
    KERAS_BACKEND=torch /tmp/kvenv/bin/python scripts/make-keras-fixtures.py

(`pip config list` names the wheel folders; pass one --find-links per folder it lists.)
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "keras")
SEED = 1234


def vgg_seq():
    """Sequential VGG-ish: conv stacks, max pooling, Flatten -> Dense -> softmax."""
    return keras.Sequential([
        keras.Input((16, 16, 3)),
        layers.Conv2D(8, 3, padding="same", activation="relu", name="c1"),
        layers.Conv2D(8, 3, padding="same", name="c2"),
        layers.BatchNormalization(name="bn2"),
        layers.ReLU(name="r2"),
        layers.MaxPooling2D(2, name="p2"),
        layers.Conv2D(12, 3, padding="valid", activation="relu", name="c3"),
        layers.Dropout(0.3, name="drop"),
        layers.Flatten(name="flat"),
        layers.Dense(16, activation="relu", name="fc1"),
        layers.Dense(5, activation="softmax", name="fc2"),
    ], name="vgg_seq")


def resnet_fn():
    """Functional ResNet-ish: conv-BN-ReLU, two residual blocks (identity and projection) with Add."""
    x0 = keras.Input((16, 16, 3), name="image")
    x = layers.Conv2D(8, 3, padding="same", use_bias=False, name="stem")(x0)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.Activation("relu", name="stem_relu")(x)
    y = layers.Conv2D(8, 3, padding="same", name="b1_c1")(x)
    y = layers.BatchNormalization(name="b1_bn1")(y)
    y = layers.ReLU(name="b1_r1")(y)
    y = layers.Conv2D(8, 3, padding="same", name="b1_c2")(y)
    x = layers.Add(name="b1_add")([x, y])
    x = layers.ReLU(name="b1_out")(x)
    y = layers.Conv2D(16, 3, strides=2, padding="same", name="b2_c1")(x)
    y = layers.BatchNormalization(name="b2_bn1")(y)
    y = layers.ReLU(name="b2_r1")(y)
    y = layers.Conv2D(16, 3, padding="same", name="b2_c2")(y)
    s = layers.Conv2D(16, 1, strides=2, name="b2_proj")(x)
    x = layers.Add(name="b2_add")([s, y])
    x = layers.ReLU(name="b2_out")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    out = layers.Dense(6, name="logits")(x)
    return keras.Model(x0, out, name="resnet_fn")


def mobilenet_fn():
    """Functional MobileNet-ish: ZeroPadding2D, DepthwiseConv2D, BN, ReLU6, inverted residual with Add."""
    x0 = keras.Input((16, 16, 3), name="image")
    x = layers.ZeroPadding2D(((0, 1), (0, 1)), name="pad")(x0)
    x = layers.Conv2D(8, 3, strides=2, use_bias=False, name="stem")(x)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.ReLU(6.0, name="stem_relu6")(x)
    y = layers.Conv2D(16, 1, use_bias=False, name="expand")(x)
    y = layers.BatchNormalization(name="expand_bn")(y)
    y = layers.ReLU(6.0, name="expand_relu6")(y)
    y = layers.DepthwiseConv2D(3, padding="same", use_bias=False, name="dw")(y)
    y = layers.BatchNormalization(name="dw_bn")(y)
    y = layers.ReLU(6.0, name="dw_relu6")(y)
    y = layers.Conv2D(8, 1, use_bias=False, name="project")(y)
    y = layers.BatchNormalization(name="project_bn")(y)
    x = layers.Add(name="res_add")([x, y])
    x = layers.SeparableConv2D(12, 3, padding="same", activation="relu", name="sep")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    out = layers.Dense(4, name="logits")(x)
    return keras.Model(x0, out, name="mobilenet_fn")


def concat_fn():
    """Functional inception-ish: parallel branches joined by Concatenate, average pooling."""
    x0 = keras.Input((12, 12, 3), name="image")
    a = layers.Conv2D(4, 1, activation="relu", name="br_a")(x0)
    b = layers.Conv2D(6, 3, padding="same", activation="relu", name="br_b")(x0)
    c = layers.AveragePooling2D(3, strides=1, padding="same", name="br_c_pool")(x0)
    c = layers.Conv2D(2, 1, activation="relu", name="br_c")(c)
    x = layers.Concatenate(name="cat")([a, b, c])
    x = layers.Conv2D(8, 3, strides=2, activation="relu", name="after")(x)
    x = layers.GlobalMaxPooling2D(name="gmp")(x)
    out = layers.Dense(3, name="logits")(x)
    return keras.Model(x0, out, name="concat_fn")


def se_fn():
    """Functional squeeze-and-excitation block: GAP -> Reshape -> Dense -> Dense(sigmoid) -> Multiply."""
    x0 = keras.Input((12, 12, 3), name="image")
    x = layers.Conv2D(8, 3, padding="same", activation="relu", name="conv")(x0)
    s = layers.GlobalAveragePooling2D(name="squeeze")(x)
    s = layers.Reshape((1, 1, 8), name="se_reshape")(s)
    s = layers.Dense(4, activation="relu", name="se_reduce")(s)
    s = layers.Dense(8, activation="sigmoid", name="se_expand")(s)
    x = layers.Multiply(name="excite")([x, s])
    x = layers.Conv2D(6, 1, name="head")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    out = layers.Dense(3, name="logits")(x)
    return keras.Model(x0, out, name="se_fn")


def prep_fn():
    """Preprocessing inside the model: Rescaling, Normalization, scalar ops on tensors, swish."""
    x0 = keras.Input((10, 10, 3), name="image")
    x = layers.Rescaling(1 / 127.5, offset=-1.0, name="rescale")(x0)
    x = layers.Normalization(mean=[0.1, -0.2, 0.3], variance=[0.5, 2.0, 1.5], name="norm")(x)
    x = x * 0.5 + 0.25
    x = layers.Conv2D(8, 3, padding="same", activation="swish", name="conv")(x)
    x = 1.0 - x
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.Activation("silu", name="act")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    out = layers.Dense(3, name="logits")(x)
    return keras.Model(x0, out, name="prep_fn")


MODELS = [vgg_seq, resnet_fn, mobilenet_fn, concat_fn, se_fn, prep_fn]


def randomize(model, rng):
    """Random weights (He-like scale) and non-trivial BatchNormalization statistics."""
    for layer in model.layers:
        values = []
        for w in layer.weights:
            shape = tuple(w.shape)
            name = w.path.split("/")[-1]
            if name == "gamma":
                values.append(rng.uniform(0.5, 1.5, shape))
            elif name in ("beta", "bias"):
                values.append(rng.normal(0, 0.1, shape))
            elif name == "moving_mean":
                values.append(rng.normal(0, 0.2, shape))
            elif name == "moving_variance":
                values.append(rng.uniform(0.5, 2.0, shape))
            else:
                fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
                values.append(rng.normal(0, np.sqrt(2.0 / max(1, fan_in)), shape))
        if values:
            layer.set_weights([v.astype("float32") for v in values])


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(SEED)
    for build in MODELS:
        keras.utils.set_random_seed(SEED)
        model = build()
        randomize(model, rng)
        name = model.name
        x = rng.normal(0, 1, (2, *model.input_shape[1:])).astype("float32")
        if name == "prep_fn":
            x = rng.uniform(0, 255, (2, *model.input_shape[1:])).astype("float32")
        y = np.asarray(model.predict(x, verbose=0), dtype="float32")
        model.save(os.path.join(OUT, f"{name}.keras"))
        model.save(os.path.join(OUT, f"{name}.h5"))
        ref = {
            "model": name,
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
            "inputShape": list(x.shape),
            "input": [float(v) for v in x.ravel()],
            "outputShape": list(y.shape),
            "output": [float(v) for v in y.ravel()],
        }
        with open(os.path.join(OUT, f"{name}.ref.json"), "w") as f:
            json.dump(ref, f)
        print(name, "params", model.count_params(), "output", y.shape, file=sys.stderr)


if __name__ == "__main__":
    main()
