"""PyTorch peer for bench/train.ts: images/s of fwd+bwd+SGD for the reference CNN (batch 64, 32x32x3)."""
import json
import sys
import time

import torch
from torch import nn


def build_net() -> nn.Module:
    """The reference VGG-style CNN: convs 32-32-64-64-128-128 with BN+ReLU, max-pool per pair, dense 10."""
    layers = []
    cin = 3
    for cout in (32, 32, 64, 64, 128, 128):
        layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
        if cout == cin:
            layers.append(nn.MaxPool2d(2))
        cin = cout
    layers += [nn.Flatten(), nn.Linear(128 * 4 * 4, 10)]
    return nn.Sequential(*layers)


def main() -> None:
    """Measures images/s; argv: [threads] [seconds]."""
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 4.0
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    batch = 64
    net = build_net()
    params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))

    def step() -> None:
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    for _ in range(5):
        step()
    steps = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and steps >= 5:
            break
    cpu = time.process_time() - cpu_start
    print(json.dumps({"imagesPerSecond": steps * batch / elapsed, "steps": steps, "threads": threads,
                      "cpuMsPerStep": 1000 * cpu / steps, "params": params, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
