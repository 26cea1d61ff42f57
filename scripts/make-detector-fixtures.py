# Makes the committed dense-prediction ONNX fixtures (test/fixtures/onnx/) with Debian's python3-torch.
#
# Usage: /usr/bin/python3 scripts/make-detector-fixtures.py [out_dir]
# - yolov8-raw-opset13.onnx: a YOLOv8-style detector (Conv-BN-SiLU, C2f with a channel Split, SPPF, nearest
#   Resize + Concat FPN/PAN, three Detect heads), 64x64 input, raw outputs p3, p4, p5 ([N, 4*4+3, H, W]).
# - yolov8-decode-opset13.onnx: the same network and weights with Ultralytics' decode tail (view, cat,
#   split, DFL softmax, anchors, sigmoid) ending in one output "output0" [N, 4+3, anchors].
# - unet-opset11.onnx: an encoder-decoder with a CSP block (channel Slice), bilinear Resize
#   (align_corners False) and skip Concat, output "mask" [N, 4, 64, 64].
# Seeded random weights, BatchNorm statistics from random batches (as make-onnx-fixtures.py does).
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'onnx')
SIZE = 64


class Conv(nn.Module):
    """Ultralytics Conv: Conv2d (no bias) + BatchNorm + SiLU."""

    def __init__(self, c1, c2, k=1, s=1):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = nn.SiLU()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    def __init__(self, c, shortcut=True):
        super().__init__()
        self.cv1 = Conv(c, c, 3)
        self.cv2 = Conv(c, c, 3)
        self.add = shortcut

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C2f(nn.Module):
    """cv1, split into two halves, n bottlenecks on the last part, concat of every part, cv2."""

    def __init__(self, c1, c2, n=1, shortcut=False):
        super().__init__()
        self.c = c2 // 2
        self.cv1 = Conv(c1, 2 * self.c, 1)
        self.cv2 = Conv((2 + n) * self.c, c2, 1)
        self.m = nn.ModuleList(Bottleneck(self.c, shortcut) for _ in range(n))

    def forward(self, x):
        y = list(self.cv1(x).split((self.c, self.c), 1))
        y.extend(m(y[-1]) for m in self.m)
        return self.cv2(torch.cat(y, 1))


class SPPF(nn.Module):
    def __init__(self, c1, c2, k=5):
        super().__init__()
        c_ = c1 // 2
        self.cv1 = Conv(c1, c_, 1)
        self.cv2 = Conv(c_ * 4, c2, 1)
        self.m = nn.MaxPool2d(k, 1, k // 2)

    def forward(self, x):
        x = self.cv1(x)
        y1 = self.m(x)
        y2 = self.m(y1)
        return self.cv2(torch.cat((x, y1, y2, self.m(y2)), 1))


class Detect(nn.Module):
    """Ultralytics v8 Detect: per level a box branch (4*reg_max) and a class branch, concatenated."""

    def __init__(self, nc, ch, reg_max=4, decode=False):
        super().__init__()
        self.nc, self.reg_max, self.no, self.decode = nc, reg_max, nc + 4 * reg_max, decode
        c2, c3 = 8, 8
        self.cv2 = nn.ModuleList(nn.Sequential(Conv(x, c2, 3), Conv(c2, c2, 3), nn.Conv2d(c2, 4 * reg_max, 1)) for x in ch)
        self.cv3 = nn.ModuleList(nn.Sequential(Conv(x, c3, 3), Conv(c3, c3, 3), nn.Conv2d(c3, nc, 1)) for x in ch)
        self.register_buffer('proj', torch.arange(reg_max, dtype=torch.float))
        anchors, strides = [], []
        for stride in (8, 16, 32):
            n = SIZE // stride
            sy, sx = torch.meshgrid(torch.arange(n) + 0.5, torch.arange(n) + 0.5, indexing='ij')
            anchors.append(torch.stack((sx, sy), 0).view(2, -1))
            strides.append(torch.full((1, n * n), float(stride)))
        self.register_buffer('anchors', torch.cat(anchors, 1).unsqueeze(0))
        self.register_buffer('strides', torch.cat(strides, 1).unsqueeze(0))

    def forward(self, x):
        x = [torch.cat((self.cv2[i](xi), self.cv3[i](xi)), 1) for i, xi in enumerate(x)]
        if not self.decode:
            return tuple(x)
        b = x[0].shape[0]
        x_cat = torch.cat([xi.view(b, self.no, -1) for xi in x], 2)
        box, cls = x_cat.split((self.reg_max * 4, self.nc), 1)
        a = box.shape[2]
        dfl = box.view(b, 4, self.reg_max, a).transpose(2, 1).softmax(1)
        dist = (dfl * self.proj.view(1, -1, 1, 1)).sum(1)
        lt, rb = dist.chunk(2, 1)
        dbox = torch.cat((self.anchors - lt, self.anchors + rb), 1) * self.strides
        return torch.cat((dbox, cls.sigmoid()), 1)


class YoloV8(nn.Module):
    """A narrow YOLOv8n-shaped network: backbone P3-P5, SPPF, PAN neck, three heads (stride 8, 16, 32)."""

    def __init__(self, nc=3, decode=False):
        super().__init__()
        self.b0 = nn.Sequential(Conv(3, 8, 3, 2), Conv(8, 8, 3, 2), C2f(8, 8, 1, True))
        self.b1 = nn.Sequential(Conv(8, 16, 3, 2), C2f(16, 16, 1, True))
        self.b2 = nn.Sequential(Conv(16, 24, 3, 2), C2f(24, 24, 1, True))
        self.b3 = nn.Sequential(Conv(24, 32, 3, 2), C2f(32, 32, 1, True), SPPF(32, 32))
        self.up = nn.Upsample(scale_factor=2, mode='nearest')
        self.n4 = C2f(32 + 24, 24)
        self.n3 = C2f(24 + 16, 16)
        self.d3 = Conv(16, 16, 3, 2)
        self.o4 = C2f(16 + 24, 24)
        self.d4 = Conv(24, 24, 3, 2)
        self.o5 = C2f(24 + 32, 32)
        self.head = Detect(nc, (16, 24, 32), decode=decode)

    def forward(self, x):
        p2 = self.b0(x)
        p3 = self.b1(p2)
        p4 = self.b2(p3)
        p5 = self.b3(p4)
        n4 = self.n4(torch.cat((self.up(p5), p4), 1))
        n3 = self.n3(torch.cat((self.up(n4), p3), 1))
        o4 = self.o4(torch.cat((self.d3(n3), n4), 1))
        o5 = self.o5(torch.cat((self.d4(o4), p5), 1))
        return self.head([n3, o4, o5])


class Csp(nn.Module):
    """CSP block written with channel indexing (ONNX Slice): half passes, half goes through a conv."""

    def __init__(self, c):
        super().__init__()
        self.c = c // 2
        self.cv1 = Conv(c, c, 1)
        self.m = Conv(self.c, self.c, 3)
        self.cv2 = Conv(c, c, 1)

    def forward(self, x):
        y = self.cv1(x)
        return self.cv2(torch.cat((y[:, :self.c], self.m(y[:, self.c:])), 1))


class UNet(nn.Module):
    """Encoder-decoder: three stride-2 stages, bilinear up-sampling with skip concatenations, a 4-class map."""

    def __init__(self, nc=4):
        super().__init__()
        self.e1 = Conv(3, 8, 3, 2)
        self.e2 = nn.Sequential(Conv(8, 16, 3, 2), Csp(16))
        self.e3 = Conv(16, 24, 3, 2)
        self.d2 = Conv(24 + 16, 16, 3)
        self.d1 = Conv(16 + 8, 8, 3)
        self.out = nn.Conv2d(8, nc, 1)

    def forward(self, x):
        s1 = self.e1(x)
        s2 = self.e2(s1)
        y = self.e3(s2)
        y = self.d2(torch.cat((F.interpolate(y, scale_factor=2, mode='bilinear', align_corners=False), s2), 1))
        y = self.d1(torch.cat((F.interpolate(y, scale_factor=2, mode='bilinear', align_corners=False), s1), 1))
        return F.interpolate(self.out(y), scale_factor=2, mode='bilinear', align_corners=False)


def settle(model, seed):
    """Seeded weight noise, random affine BN parameters, running statistics from random batches."""
    torch.manual_seed(seed)
    for p in model.parameters():
        p.data = p.data + 0.05 * torch.randn_like(p)
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data = 0.5 + torch.rand(m.num_features, generator=g)
            m.bias.data = 0.2 * torch.randn(m.num_features, generator=g)
            m.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(1.5 * torch.randn(8, 3, SIZE, SIZE, generator=g) + 0.3)
    model.eval()
    return model


def export(model, name, opset, outputs):
    path = os.path.join(OUT, f'{name}.onnx')
    axes = {n: {0: 'batch'} for n in ['images', *outputs]}
    torch.onnx.export(model, torch.randn(1, 3, SIZE, SIZE), path, opset_version=opset, input_names=['images'],
                      output_names=outputs, dynamic_axes=axes)


def main():
    os.makedirs(OUT, exist_ok=True)
    raw = settle(YoloV8(), 11)
    export(raw, 'yolov8-raw-opset13', 13, ['p3', 'p4', 'p5'])
    decode = YoloV8(decode=True)
    decode.load_state_dict(raw.state_dict())
    export(decode.eval(), 'yolov8-decode-opset13', 13, ['output0'])
    export(settle(UNet(), 12), 'unet-opset11', 11, ['mask'])


if __name__ == '__main__':
    main()
