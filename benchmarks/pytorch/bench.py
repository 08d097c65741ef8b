#!/usr/bin/python3
"""The NetGen benchmark workloads in PyTorch, for comparison (see docs/benchmarks.md).

Run with Debian's Python and PyTorch (python3-torch 1.13, BLAS = OpenBLAS through
libopenblas0-openmp):

    /usr/bin/python3 benchmarks/pytorch/bench.py --out benchmarks/results/pytorch.json
    /usr/bin/python3 benchmarks/pytorch/bench.py --quick      # one repetition of everything

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE must not be set: they pin OpenBLAS to a core type (this
machine's default environment forces Haswell, i.e. AVX2 kernels at half the AVX-512 speed). OpenBLAS
reads them when it is loaded, so the script re-executes itself without them if they are present.

Workloads (batch 64 unless said otherwise, float32, Fashion-MNIST 60,000 training images in [0, 1]):
  W1  784-500-10, Sigmoid hidden, CrossEntropyLoss on logits (NetGen: Softmax + CrossEntropy, fused), SGD lr 0.1
  W2  784-128-64-10, ReLU hidden, CrossEntropyLoss, Adam lr 1e-3
  W4  CNN: Conv2d(1,32,3)-ReLU-MaxPool2-Conv2d(32,64,3)-ReLU-MaxPool2-Flatten-Dropout(0.25)-Linear(1600,128)-ReLU-Linear(128,10), Adam lr 1e-3
  W3  XOR 2-3-1, Sigmoid hidden + Sigmoid output, BCELoss, SGD lr 0.5, batch 4 (time per step)
      linear regression 1-1, MSELoss, Adam lr 1e-2, full batch of 100 (time per step)
  W5  LSTM sequence model (the sequence issue's "W4"): Embedding(64, 64)-LSTM(64, 128)-LSTM(128, 128)-Linear(128, 64)
      at every step, cross_entropy over all 64 positions, Adam lr 1e-3, batch 32 of random tokens (time per step)
  W6  Transformer classifier (the Transformer issue's "W5"): Embedding(64, 64)-2 x TransformerEncoderLayer(64, 4 heads,
      feed-forward 256, dropout 0.1, post-norm ReLU, batch_first)-mean over time-Linear(64, 2), cross_entropy, AdamW lr 1e-3
      weight decay 0.01, batch 32 of 64 random tokens with random labels, model.train() (time per step)
Kernels: the GEMMs of the 784-500 layer for batch 64 and 256: addmm(b, X, Wᵀ), dZ·W, dZᵀ·X.
"""

import argparse
import ctypes
import gzip
import json
import os
import platform
import resource
import statistics
import sys
import time

FORBIDDEN_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

# NETGEN_BENCH_ISA=avx2 (run.sh --isa avx2): both sides limited to AVX2 on purpose, to stand in for an AVX2-only machine.
# PyTorch then runs OpenBLAS's Haswell kernels (OPENBLAS_CORETYPE=Haswell) and ATen's AVX2 kernels
# (ATEN_CPU_CAPABILITY=avx2), and the pinning variables are the point rather than an accident of the environment.
AVX2_MODE = os.environ.get("NETGEN_BENCH_ISA") == "avx2"
if AVX2_MODE and (os.environ.get("OPENBLAS_CORETYPE") != "Haswell" or os.environ.get("ATEN_CPU_CAPABILITY") != "avx2"):
    sys.exit("bench.py: NETGEN_BENCH_ISA=avx2 needs OPENBLAS_CORETYPE=Haswell and ATEN_CPU_CAPABILITY=avx2 (run.sh --isa avx2 sets them)")

# OpenBLAS reads these when the library loads (with torch): drop them before that happens.
if __name__ == "__main__" and not AVX2_MODE and any(name in os.environ for name in FORBIDDEN_ENV):
    if os.environ.get("NETGEN_BENCH_REEXEC") == "1":
        sys.exit("bench.py: could not remove %s from the environment" % ", ".join(FORBIDDEN_ENV))
    env = {k: v for k, v in os.environ.items() if k not in FORBIDDEN_ENV}
    env["NETGEN_BENCH_REEXEC"] = "1"
    print("bench.py: unsetting %s (they force OpenBLAS onto AVX2 kernels) and restarting"
          % ", ".join(n for n in FORBIDDEN_ENV if n in os.environ), file=sys.stderr, flush=True)
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

DATA_DIR = os.environ.get("FASHION_MNIST_DIR") or "/usr/share/datasets/fashion-mnist"
INSTALL = "apt-get install dataset-fashion-mnist"
BATCH = 64
SEED = 42

# W5: batch, sequence length, vocabulary (= classes), embedding width, hidden units.
W5_BATCH, W5_STEPS, W5_VOCAB, W5_EMBEDDING, W5_HIDDEN = 32, 64, 64, 64, 128


def w5_flops(batch=W5_BATCH, steps=W5_STEPS, embedding=W5_EMBEDDING, hidden=W5_HIDDEN, vocab=W5_VOCAB):
    """FLOPs of the matrix products of one W5 training step, as NetGen's SequenceBenchmarks.StepFlops:
    per LSTM layer 2·B·T·4H·(in + H) forward and twice that backward; Linear 2·B·T·V·H, ×3 with backward."""
    rows = batch * steps
    lstm1 = 3 * 2 * rows * 4 * hidden * (embedding + hidden)
    lstm2 = 3 * 2 * rows * 4 * hidden * (hidden + hidden)
    linear = 3 * 2 * rows * vocab * hidden
    return float(lstm1 + lstm2 + linear)


# W6: batch, sequence length, vocabulary, model width, heads, feed-forward width, encoder blocks, classes.
W6_BATCH, W6_STEPS, W6_VOCAB, W6_WIDTH, W6_HEADS, W6_FEEDFORWARD, W6_BLOCKS, W6_CLASSES = 32, 64, 64, 64, 4, 256, 2, 2


def w6_flops(batch=W6_BATCH, steps=W6_STEPS, width=W6_WIDTH, heads=W6_HEADS, feedforward=W6_FEEDFORWARD,
             blocks=W6_BLOCKS, classes=W6_CLASSES):
    """FLOPs of the matrix products of one W6 training step, as NetGen's TransformerBenchmarks.StepFlops: per
    block, forward QKV 2·B·T·D·3D, scores Q·Kᵀ and P·V 2·B·H·T·T·dh each, out proj 2·B·T·D·D, linear1 2·B·T·D·F,
    linear2 2·B·T·F·D, and backward twice that; the Linear 2·B·D·C, ×3 with backward."""
    rows = batch * steps
    head_width = width // heads
    projections = 2 * rows * width * 3 * width + 2 * rows * width * width
    attention = 2 * (2 * batch * heads * steps * steps * head_width)
    ff = 2 * (2 * rows * width * feedforward)
    dense = 3 * 2 * batch * width * classes
    return float(blocks * 3 * (projections + attention + ff) + dense)


# ----------------------------------------------------------------------------- data

def read_idx(path):
    """An IDX file of unsigned bytes (gzip-compressed) as a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError("%s: not an IDX file of unsigned bytes" % path)
    rank = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * d: 8 + 4 * d], "big") for d in range(rank))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def load_split(prefix):
    paths = [os.path.join(DATA_DIR, "%s-%s-ubyte.gz" % (prefix, kind)) for kind in ("images-idx3", "labels-idx1")]
    for path in paths:
        if not os.path.exists(path):
            sys.exit("Fashion-MNIST is missing: %s does not exist. Install it with `%s` "
                     "(or set FASHION_MNIST_DIR)." % (path, INSTALL))
    images = read_idx(paths[0]).reshape(-1, 784).astype(np.float32) / np.float32(255)
    labels = read_idx(paths[1]).astype(np.int64)
    return torch.from_numpy(images), torch.from_numpy(labels)


# ----------------------------------------------------------------------------- models

def init_like_netgen(model, seed):
    """NetGen's default initializer: weights ~ N(0, 1/fan_in), biases 0 (same law, not the same bits)."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Linear):
                module.weight.normal_(0.0, (1.0 / module.in_features) ** 0.5)
                module.bias.zero_()
    return model


def make_w1():
    model = init_like_netgen(nn.Sequential(nn.Linear(784, 500), nn.Sigmoid(), nn.Linear(500, 10)), SEED)
    return model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1)


def make_w2():
    model = init_like_netgen(nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                                           nn.Linear(64, 10)), SEED)
    return model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=1e-3)


class Unflatten(nn.Module):
    """[B, 784] rows as [B, 1, 28, 28] images (NetGen takes the same floats as its NCHW input)."""

    def forward(self, x):
        return x.view(-1, 1, 28, 28)


def make_w4():
    model = nn.Sequential(Unflatten(), nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.25), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    torch.manual_seed(SEED)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Linear, nn.Conv2d)):
                fan_in = module.weight[0].numel()
                module.weight.normal_(0.0, (1.0 / fan_in) ** 0.5)
                module.bias.zero_()
    return model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=1e-3)


def make_xor():
    model = init_like_netgen(nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1), nn.Sigmoid()), SEED)
    return model, nn.BCELoss(), torch.optim.SGD(model.parameters(), lr=0.5)


def make_linreg():
    model = init_like_netgen(nn.Linear(1, 1), SEED)
    return model, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=1e-2)


class LstmSequenceModel(nn.Module):
    """W5: token ids [B, T] -> Embedding [B, T, 64] -> LSTM 128 -> LSTM 128 -> logits [B, T, 64] at every step."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(W5_VOCAB, W5_EMBEDDING)
        self.lstm1 = nn.LSTM(W5_EMBEDDING, W5_HIDDEN, batch_first=True)
        self.lstm2 = nn.LSTM(W5_HIDDEN, W5_HIDDEN, batch_first=True)
        self.linear = nn.Linear(W5_HIDDEN, W5_VOCAB)

    def forward(self, x):
        h, _ = self.lstm1(self.embedding(x))
        h, _ = self.lstm2(h)
        return self.linear(h)


def sequence_cross_entropy(logits, labels):
    """Cross-entropy over every position: logits [B, T, V], labels [B, T] (NetGen: Softmax + CrossEntropy, fused)."""
    return F.cross_entropy(logits.reshape(-1, W5_VOCAB), labels.reshape(-1))


def make_w5():
    # Embedding N(0, 1) and LSTM U(-1/sqrt(H), 1/sqrt(H)) are PyTorch's defaults and NetGen's laws; the Linear as NetGen's Dense.
    torch.manual_seed(SEED)
    model = init_like_netgen(LstmSequenceModel(), SEED)
    return model, sequence_cross_entropy, torch.optim.Adam(model.parameters(), lr=1e-3)


def w5_batch():
    """A fixed batch of random token ids and random labels, both [32, 64] in [0, 64)."""
    g = torch.Generator().manual_seed(SEED)
    tokens = torch.randint(0, W5_VOCAB, (W5_BATCH, W5_STEPS), generator=g)
    labels = torch.randint(0, W5_VOCAB, (W5_BATCH, W5_STEPS), generator=g)
    return tokens, labels


class TransformerClassifier(nn.Module):
    """W6: token ids [B, T] -> Embedding [B, T, 64] -> 2 encoder blocks -> mean over time [B, 64] -> logits [B, 2].
    Two separate TransformerEncoderLayer modules, not nn.TransformerEncoder (which deep-copies one layer, so both
    blocks would start equal); in training mode 1.13's fused "fast path" does not apply either way."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(W6_VOCAB, W6_WIDTH)
        self.blocks = nn.Sequential(*[nn.TransformerEncoderLayer(W6_WIDTH, W6_HEADS, W6_FEEDFORWARD, dropout=0.1,
                                                                 batch_first=True) for _ in range(W6_BLOCKS)])
        self.linear = nn.Linear(W6_WIDTH, W6_CLASSES)

    def forward(self, x):
        return self.linear(self.blocks(self.embedding(x)).mean(dim=1))


def make_w6():
    # Embedding N(0, 1), the encoder blocks' own defaults (Xavier in_proj, U(±1/√fan_in) linears) are NetGen's laws
    # too; the output Linear as NetGen's Dense (N(0, 1/fan_in), bias 0).
    torch.manual_seed(SEED)
    model = TransformerClassifier()
    with torch.no_grad():
        model.linear.weight.normal_(0.0, (1.0 / W6_WIDTH) ** 0.5)
        model.linear.bias.zero_()
    model.train()  # dropout on, as NetGen's TrainStep
    return model, F.cross_entropy, torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)


def w6_batch():
    """A fixed batch of random token ids [32, 64] in [0, 64) and random labels [32] in [0, 2)."""
    g = torch.Generator().manual_seed(SEED)
    tokens = torch.randint(0, W6_VOCAB, (W6_BATCH, W6_STEPS), generator=g)
    labels = torch.randint(0, W6_CLASSES, (W6_BATCH,), generator=g)
    return tokens, labels


def train_step(model, loss_fn, optimizer, x, y):
    """One step, as NetGen's TrainStep: forward, loss, backward, update; returns the loss as a float."""
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


class Batcher:
    """Mini-batches in a given order, copied into buffers allocated once (one per batch size)."""

    def __init__(self, images, labels, batch):
        self.images, self.labels, self.batch = images, labels, batch
        self.buffers = {}

    def buffers_for(self, n):
        if n not in self.buffers:
            self.buffers[n] = (torch.empty(n, self.images.shape[1]), torch.empty(n, dtype=torch.int64))
        return self.buffers[n]

    def epoch(self, model, loss_fn, optimizer, order):
        total, batches = 0.0, 0
        for start in range(0, order.numel(), self.batch):
            index = order[start:start + self.batch]
            x, y = self.buffers_for(index.numel())
            torch.index_select(self.images, 0, index, out=x)
            torch.index_select(self.labels, 0, index, out=y)
            total += train_step(model, loss_fn, optimizer, x, y)
            batches += 1
        return total / batches


def accuracy(model, images, labels):
    correct = 0
    with torch.no_grad():
        for start in range(0, images.shape[0], 500):
            logits = model(images[start:start + 500])
            correct += int((logits.argmax(dim=1) == labels[start:start + 500]).sum())
    return correct / images.shape[0]


# ----------------------------------------------------------------------------- timing

def minor_faults():
    """Minor page faults of this process so far (all threads): first touches of fresh pages, mostly."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def time_epochs(make, train, threads, reps):
    """Seconds per epoch for `reps` epochs after one warm-up epoch, in one fixed shuffled order;
    and the minor page faults per epoch over those epochs."""
    torch.set_num_threads(threads)
    model, loss_fn, optimizer = make()
    order = torch.randperm(train[0].shape[0], generator=torch.Generator().manual_seed(SEED))
    batcher = Batcher(train[0], train[1], BATCH)
    batcher.epoch(model, loss_fn, optimizer, order)  # warm-up
    samples = []
    faults = minor_faults()
    for _ in range(reps):
        start = time.perf_counter()
        batcher.epoch(model, loss_fn, optimizer, order)
        samples.append(time.perf_counter() - start)
    return samples, (minor_faults() - faults) / reps


def time_steps(make, x, y, threads, blocks, steps_per_block, warmup):
    """Seconds per step, one sample per block of `steps_per_block` steps after `warmup` steps; and the
    minor page faults per step."""
    torch.set_num_threads(threads)
    model, loss_fn, optimizer = make()
    for _ in range(warmup):
        train_step(model, loss_fn, optimizer, x, y)
    samples = []
    faults = minor_faults()
    for _ in range(blocks):
        start = time.perf_counter()
        for _ in range(steps_per_block):
            train_step(model, loss_fn, optimizer, x, y)
        samples.append((time.perf_counter() - start) / steps_per_block)
    return samples, (minor_faults() - faults) / (blocks * steps_per_block)


def time_call(fn, samples, min_sample_seconds):
    """Median seconds per call: `samples` timings of enough calls to last `min_sample_seconds`."""
    for _ in range(3):
        fn()
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_sample_seconds:
            break
        calls = max(calls * 2, int(calls * min_sample_seconds / max(elapsed, 1e-9)))
    results = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        results.append((time.perf_counter() - start) / calls)
    return results


def kernels(threads, samples):
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(7)
    out = []
    for batch in (64, 256):
        x = torch.rand(batch, 784, generator=g) * 2 - 1
        w = torch.rand(500, 784, generator=g) * 2 - 1
        b = torch.rand(500, generator=g) * 2 - 1
        dz = torch.rand(batch, 500, generator=g) * 2 - 1
        z, dx, dw = torch.empty(batch, 500), torch.empty(batch, 784), torch.empty(500, 784)
        flops = 2.0 * batch * 500 * 784
        cases = [
            ("NT", "addmm(b, X, Wᵀ)", lambda: torch.addmm(b, x, w.t(), out=z)),
            ("NN", "mm(dZ, W)", lambda: torch.mm(dz, w, out=dx)),
            ("TN", "mm(dZᵀ, X)", lambda: torch.mm(dz.t(), x, out=dw)),
        ]
        for key, what, fn in cases:
            t = time_call(fn, samples, 0.01)
            median = statistics.median(t)
            out.append({"key": key, "op": what, "batch": batch, "threads": threads, "flops": flops,
                        "seconds": median, "gflops": flops / median / 1e9, "samples": t})
            print("  kernel %s B=%d threads=%d: %.1f us, %.1f GFLOP/s" % (key, batch, threads, median * 1e6,
                                                                       flops / median / 1e9), flush=True)
    return out


# ----------------------------------------------------------------------------- main

def openblas_info():
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        lib.openblas_get_config.restype = ctypes.c_char_p
        return {"corename": lib.openblas_get_corename().decode(), "config": lib.openblas_get_config().decode()}
    except (OSError, AttributeError) as e:
        return {"error": str(e)}


def cpu_simd():
    """The vector extensions this CPU reports (what OpenBLAS's core choice can use)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return {"avx2": "avx2" in flags, "fma": "fma" in flags, "avx512f": "avx512f" in flags}
    except OSError:
        pass
    return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="write the results as JSON to this file")
    parser.add_argument("--quick", action="store_true",
                        help="one repetition of everything (checks the script end to end; timings not meaningful)")
    parser.add_argument("--threads", default="1,2", help="thread counts, comma-separated (default 1,2)")
    parser.add_argument("--only", default="kernels,w1,w2,w3,w4,w5,w6,accuracy",
                        help="comma-separated subset of kernels,w1,w2,w3,w4,w5,w6,accuracy")
    parser.add_argument("--tag", default="", help="suffix for the workload keys (e.g. -tuned-malloc for a run with glibc tunables)")
    parser.add_argument("--accuracy-workloads", default="W1,W4", help="workloads of the accuracy run (default W1,W4)")
    parser.add_argument("--accuracy-epochs", type=int, default=None, help="epochs for the accuracy run (default 5; 1 with --quick)")
    args = parser.parse_args()

    for name in FORBIDDEN_ENV:
        if name in os.environ and not AVX2_MODE:
            sys.exit("bench.py: %s is set; unset it (it pins OpenBLAS to a core type)" % name)

    threads_list = [int(t) for t in args.threads.split(",")]
    only = set(args.only.split(","))
    epoch_reps = 1 if args.quick else 5
    step_blocks, step_size, step_warmup = (5, 50, 50) if args.quick else (30, 200, 500)
    w5_steps, w5_warmup = (3, 1) if args.quick else (50, 10)  # W5: each step timed on its own (tens of ms)
    w6_steps, w6_warmup = (3, 1) if args.quick else (50, 10)  # W6: the same
    kernel_samples = 5 if args.quick else 30
    accuracy_epochs = args.accuracy_epochs or (1 if args.quick else 5)

    results = {
        "framework": "PyTorch",
        "meta": {
            "torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version(),
            "openblas": openblas_info(), "cpu": cpu_model(), "cpu_count": os.cpu_count(),
            "quick": args.quick, "batch": BATCH, "seed": SEED, "cpu_simd": cpu_simd(),
            "environment": {name: os.environ.get(name) for name in FORBIDDEN_ENV + ("OMP_NUM_THREADS", "ATEN_CPU_CAPABILITY", "NETGEN_BENCH_ISA")},
            "aten_capability": getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", lambda: None)(),
            "zero_grad": "set_to_none=True", "init": "N(0, 1/fan_in) weights, zero biases (NetGen's default law)",
        },
        "workloads": [], "kernels": [], "accuracy": None,
    }
    print("PyTorch %s, OpenBLAS core %s, %s" % (torch.__version__, results["meta"]["openblas"].get("corename"),
                                               results["meta"]["cpu"]), flush=True)

    if "w6" in only:
        print("W6: %s FLOPs of matrix products per training step (the Transformer issue: about 1.4 GFLOP)"
              % "{:,}".format(int(w6_flops())), flush=True)

    train = test = None
    if only & {"w1", "w2", "w4", "accuracy"}:
        train, test = load_split("train"), load_split("t10k")

    for threads in threads_list:
        if "kernels" in only:
            results["kernels"].extend(kernels(threads, kernel_samples))
        for key, make, wanted in (("W1", make_w1, "w1"), ("W2", make_w2, "w2"), ("W4", make_w4, "w4")):
            if wanted in only:
                t, faults = time_epochs(make, train, threads, epoch_reps if key != "W4" else max(1, epoch_reps - 2))
                key += args.tag
                results["workloads"].append({"key": key, "threads": threads, "unit": "epoch",
                                             "seconds": statistics.median(t), "samples": t,
                                             "minor_faults_per_op": faults})
                print("  %s threads=%d: %.3f s/epoch (median of %d), %.0f minor page faults/epoch"
                      % (key, threads, statistics.median(t), len(t), faults), flush=True)
        if "w3" in only:
            xor_x = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
            xor_y = torch.tensor([[0.], [1.], [1.], [0.]])
            g = torch.Generator().manual_seed(SEED)
            line_x = torch.rand(100, 1, generator=g) * 2 - 1
            line_y = 2 * line_x + 1 + 0.1 * torch.randn(100, 1, generator=g)
            for key, make, x, y in (("W3-XOR", make_xor, xor_x, xor_y), ("W3-LinReg", make_linreg, line_x, line_y)):
                t, faults = time_steps(make, x, y, threads, step_blocks, step_size, step_warmup)
                results["workloads"].append({"key": key, "threads": threads, "unit": "step",
                                             "seconds": statistics.median(t), "samples": t,
                                             "minor_faults_per_op": faults})
                print("  %s threads=%d: %.2f us/step, %.2f minor page faults/step"
                      % (key, threads, statistics.median(t) * 1e6, faults), flush=True)
        if "w5" in only:
            tokens, labels = w5_batch()
            t, faults = time_steps(make_w5, tokens, labels, threads, w5_steps, 1, w5_warmup)
            median, flops = statistics.median(t), w5_flops()
            results["workloads"].append({"key": "W5" + args.tag, "threads": threads, "unit": "step",
                                         "seconds": median, "samples": t, "minor_faults_per_op": faults,
                                         "flops": flops, "gflops": flops / median / 1e9,
                                         "batch": W5_BATCH, "sequence_length": W5_STEPS})
            print("  W5%s threads=%d: %.2f ms/step (median of %d), %.1f GFLOP/s, %.0f minor page faults/step"
                  % (args.tag, threads, median * 1e3, len(t), flops / median / 1e9, faults), flush=True)
        if "w6" in only:
            tokens, labels = w6_batch()
            t, faults = time_steps(make_w6, tokens, labels, threads, w6_steps, 1, w6_warmup)
            median, flops = statistics.median(t), w6_flops()
            results["workloads"].append({"key": "W6" + args.tag, "threads": threads, "unit": "step",
                                         "seconds": median, "samples": t, "minor_faults_per_op": faults,
                                         "flops": flops, "gflops": flops / median / 1e9,
                                         "batch": W6_BATCH, "sequence_length": W6_STEPS})
            print("  W6%s threads=%d: %.2f ms/step (median of %d), %.1f GFLOP/s, %.0f minor page faults/step"
                  % (args.tag, threads, median * 1e3, len(t), flops / median / 1e9, faults), flush=True)

    if "accuracy" in only:
        results["accuracy"] = []
        for workload in args.accuracy_workloads.split(","):
            torch.set_num_threads(os.cpu_count() or 1)
            model, loss_fn, optimizer = {"W1": make_w1, "W4": make_w4}[workload]()
            model.train()
            batcher = Batcher(train[0], train[1], BATCH)
            shuffler = torch.Generator().manual_seed(SEED)
            losses, seconds = [], []
            for epoch in range(1, accuracy_epochs + 1):
                order = torch.randperm(train[0].shape[0], generator=shuffler)
                start = time.perf_counter()
                losses.append(batcher.epoch(model, loss_fn, optimizer, order))
                seconds.append(time.perf_counter() - start)
                print("  accuracy run %s: epoch %d/%d mean batch loss %.4f, %.2f s" % (workload, epoch, accuracy_epochs,
                                                                                      losses[-1], seconds[-1]), flush=True)
            model.eval()
            acc = accuracy(model, test[0], test[1])
            results["accuracy"].append({"workload": workload, "epochs": accuracy_epochs, "testAccuracy": acc,
                                        "epochLosses": losses, "epochSeconds": seconds, "threads": torch.get_num_threads()})
            print("%s test accuracy after %d epochs: %.2f%%" % (workload, accuracy_epochs, 100 * acc), flush=True)

    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(results, f, indent=2)
        print("Wrote %s" % args.out)


if __name__ == "__main__":
    main()
