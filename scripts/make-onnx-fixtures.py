# Makes the committed ONNX import fixtures (test/fixtures/onnx/) with Debian's python3-torch and python3-onnx.
#
# Usage: /usr/bin/python3 scripts/make-onnx-fixtures.py [out_dir]
# Needs: apt-get install -y python3-torch python3-torchvision python3-onnx (PyTorch 1.13: exporter opsets 9-17;
# opset 18 cannot be made with it). Small, narrow CNNs with seeded random weights and non-trivial BatchNorm
# statistics (a few random batches in train mode, then eval), 32x32 inputs, dynamic batch axis.
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import helper, numpy_helper

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'onnx')


def conv_bn(cin, cout, k=3, s=1, groups=1, act=None):
    layers = [nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act)
    return nn.Sequential(*layers)


class Vgg(nn.Module):
    """CIFAR VGG: conv-BN-ReLU stacks, max pools, Flatten -> Linear head."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(3, 8, act=nn.ReLU()), conv_bn(8, 8, act=nn.ReLU()), nn.MaxPool2d(2),
            conv_bn(8, 16, act=nn.ReLU()), nn.MaxPool2d(2), conv_bn(16, 16, act=nn.ReLU()), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 4 * 4, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = conv_bn(cin, cout, 3, stride, act=nn.ReLU())
        self.c2 = conv_bn(cout, cout, 3, 1)
        self.proj = None if stride == 1 and cin == cout else conv_bn(cin, cout, 1, stride)

    def forward(self, x):
        skip = x if self.proj is None else self.proj(x)
        return F.relu(self.c2(self.c1(x)) + skip)


class ResNet(nn.Module):
    """ResNet with stride-2 blocks and 1x1 downsampling projections; a padded max pool after the stem."""

    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 8, act=nn.ReLU())
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.blocks = nn.Sequential(BasicBlock(8, 8, 1), BasicBlock(8, 16, 2), BasicBlock(16, 24, 2))
        self.avg = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.avg(self.blocks(self.pool(self.stem(x)))), 1))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand, act, se=None, k=3):
        super().__init__()
        mid = cin * expand
        self.residual = stride == 1 and cin == cout
        layers = [] if expand == 1 else [conv_bn(cin, mid, 1, act=act())]
        layers.append(conv_bn(mid, mid, k, stride, groups=mid, act=act()))
        if se is not None:
            layers.append(se(mid))
        layers.append(conv_bn(mid, cout, 1))
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class MobileNetV2(nn.Module):
    """Depthwise separable inverted residuals with ReLU6 (exported as Clip) and a final Softmax."""

    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 8, 3, 2, act=nn.ReLU6())
        self.blocks = nn.Sequential(
            InvertedResidual(8, 8, 1, 1, nn.ReLU6), InvertedResidual(8, 12, 2, 4, nn.ReLU6),
            InvertedResidual(12, 12, 1, 4, nn.ReLU6), InvertedResidual(12, 16, 2, 4, nn.ReLU6))
        self.head = conv_bn(16, 32, 1, act=nn.ReLU6())
        self.fc = nn.Sequential(nn.Dropout(0.2), nn.Linear(32, 10))

    def forward(self, x):
        y = self.head(self.blocks(self.stem(x))).mean((2, 3))
        return F.softmax(self.fc(y), dim=1)


class SqueezeExcite(nn.Module):
    def __init__(self, c, gate, mean=False):
        super().__init__()
        self.reduce = nn.Conv2d(c, max(4, c // 4), 1)
        self.expand = nn.Conv2d(max(4, c // 4), c, 1)
        self.gate = gate
        self.mean = mean
        self.act = nn.ReLU() if isinstance(gate, nn.Hardsigmoid) else nn.SiLU()

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True) if self.mean else F.adaptive_avg_pool2d(x, 1)
        return x * self.gate(self.expand(self.act(self.reduce(s))))


class ManualHardswish(nn.Module):
    """HardSwish written out as x * relu6(x + 3) / 6 (Add, Clip, Mul, Div)."""

    def forward(self, x):
        return x * F.relu6(x + 3.0) / 6.0


class MobileNetV3(nn.Module):
    """Hardswish, SE with Hardsigmoid, ReLU blocks, a Linear-Hardswish-Linear head."""

    def __init__(self):
        super().__init__()
        se = lambda c: SqueezeExcite(c, nn.Hardsigmoid())  # noqa: E731
        self.stem = conv_bn(3, 8, 3, 2, act=nn.Hardswish())
        self.blocks = nn.Sequential(
            InvertedResidual(8, 8, 1, 1, nn.ReLU, se), InvertedResidual(8, 12, 2, 3, nn.ReLU),
            InvertedResidual(12, 16, 2, 3, nn.Hardswish, se, k=5), InvertedResidual(16, 16, 1, 3, ManualHardswish, se))
        self.head = conv_bn(16, 48, 1, act=nn.Hardswish())
        self.fc = nn.Sequential(nn.Linear(48, 32), nn.Hardswish(), nn.Dropout(0.2), nn.Linear(32, 10))

    def forward(self, x):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(self.head(self.blocks(self.stem(x))), 1), 1))


class EfficientNet(nn.Module):
    """MBConv with SiLU (Mul(x, Sigmoid(x))), SE by ReduceMean with a sigmoid gate, a MatMul + Add head."""

    def __init__(self):
        super().__init__()
        se = lambda c: SqueezeExcite(c, nn.Sigmoid(), mean=True)  # noqa: E731
        self.stem = conv_bn(3, 8, 3, 2, act=nn.SiLU())
        self.blocks = nn.Sequential(
            InvertedResidual(8, 8, 1, 1, nn.SiLU, se), InvertedResidual(8, 16, 2, 4, nn.SiLU, se, k=5),
            InvertedResidual(16, 16, 1, 4, nn.SiLU, se))
        self.head = conv_bn(16, 32, 1, act=nn.SiLU())
        self.w = nn.Parameter(torch.randn(32, 10) * 0.2)
        self.b = nn.Parameter(torch.randn(10) * 0.1)

    def forward(self, x):
        y = torch.flatten(F.adaptive_avg_pool2d(self.head(self.blocks(self.stem(x))), 1), 1)
        return torch.matmul(y, self.w) + self.b


class BnKept(nn.Module):
    """BatchNormalization nodes kept; PReLU, LeakyReLU, Tanh, a Concat of two branches, AvgPool, view(N, -1) head."""

    def __init__(self):
        super().__init__()
        self.c1 = conv_bn(3, 8, act=nn.PReLU(8))
        self.b1 = conv_bn(8, 6, 1, act=nn.LeakyReLU(0.1))
        self.b2 = conv_bn(8, 6, 3, act=nn.Tanh())
        self.pool = nn.AvgPool2d(2)
        self.c2 = conv_bn(12, 16, 3, 2, act=nn.PReLU())
        self.fc = nn.Linear(16 * 8 * 8, 10)

    def forward(self, x):
        y = self.c1(x)
        y = self.c2(self.pool(torch.cat([self.b1(y), self.b2(y)], 1)))
        return self.fc(y.view(y.size(0), -1))


class Opset9(nn.Module):
    """Opset 9: explicit Pad, ReLU6 as Clip with attributes, Sigmoid, GlobalAveragePool, Gemm."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, 1, 0)
        self.c2 = conv_bn(8, 16, 3, 2, act=nn.ReLU6())
        self.c3 = nn.Conv2d(16, 16, 3, 1, 1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        y = F.relu6(self.c1(F.pad(x, (1, 1, 1, 1))))
        y = torch.sigmoid(self.c3(self.c2(y)))
        return self.fc(F.adaptive_avg_pool2d(y, 1).view(-1, 16))


def settle_batch_norm(model, seed):
    """Random affine BN parameters, then running statistics from random batches in train mode."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data = 0.5 + torch.rand(m.num_features, generator=g)
            m.bias.data = 0.2 * torch.randn(m.num_features, generator=g)
            m.momentum = None  # cumulative average over the batches below
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(1.5 * torch.randn(8, 3, 32, 32, generator=g) + 0.3)
    model.eval()


def export(model, name, opset, seed, **kwargs):
    torch.manual_seed(seed)
    for p in model.parameters():
        p.data = p.data + 0.05 * torch.randn_like(p)
    settle_batch_norm(model, seed)
    path = os.path.join(OUT, f'{name}.onnx')
    dummy = torch.randn(1, 3, 32, 32)
    torch.onnx.export(model, dummy, path, opset_version=opset, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, **kwargs)
    return path


def initializers_to_constants(path):
    """Move every initializer into a Constant node (as some exporters write weights)."""
    m = onnx.load(path)
    consts = [helper.make_node('Constant', [], [t.name], value=t, name=f'const_{i}') for i, t in enumerate(m.graph.initializer)]
    del m.graph.initializer[:]
    nodes = consts + list(m.graph.node)
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def initializers_to_float16(path):
    """Store float initializers as float16, each followed by a Cast back to float32 (keep_io_types style)."""
    m = onnx.load(path)
    casts = []
    for t in m.graph.initializer:
        if t.data_type != onnx.TensorProto.FLOAT:
            continue
        half = numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name + '_fp16')
        casts.append(helper.make_node('Cast', [half.name], [t.name], to=onnx.TensorProto.FLOAT, name=t.name + '_cast'))
        t.CopyFrom(half)
    nodes = casts + list(m.graph.node)
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def move_to_external(path, folder):
    """Re-save a model with every tensor in one external data file beside it."""
    m = onnx.load(path)
    os.makedirs(os.path.join(OUT, folder), exist_ok=True)
    target = os.path.join(OUT, folder, 'model.onnx')
    onnx.save(m, target, save_as_external_data=True, all_tensors_to_one_file=True, location='weights.bin', size_threshold=0)
    os.remove(path)


def main():
    os.makedirs(OUT, exist_ok=True)
    export(Vgg(), 'vgg-opset11', 11, 1)
    export(ResNet(), 'resnet-opset13', 13, 2)
    export(MobileNetV2(), 'mobilenetv2-opset12', 12, 3)
    export(MobileNetV3(), 'mobilenetv3-opset17', 17, 4)
    export(EfficientNet(), 'efficientnet-opset13', 13, 5)
    export(BnKept(), 'bn-kept-opset12', 12, 6, training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    initializers_to_constants(export(Opset9(), 'constants-opset9', 9, 7))
    move_to_external(export(ResNet(), 'external-tmp', 13, 8), 'external-data')
    initializers_to_float16(export(MobileNetV2(), 'float16-opset13', 13, 9))
    for f in sorted(os.listdir(OUT)):
        print(f)


if __name__ == '__main__':
    main()
