#!/usr/bin/python3
"""Prints the NetGen vs PyTorch benchmark tables as markdown (standard library only).

    /usr/bin/python3 benchmarks/summarize.py \
        [--netgen benchmarks/BenchmarkDotNet.Artifacts/results] \
        [--pytorch benchmarks/results/pytorch.json] \
        [--pytorch-tuned benchmarks/results/pytorch-tuned-malloc.json] \
        [--netgen-accuracy benchmarks/results/netgen-accuracy-W1.json benchmarks/results/netgen-accuracy-W4.json]

Inputs: the *-netgen.json files that the BenchmarkDotNet program exports next to its own reports,
the JSON that pytorch/bench.py writes, and the JSON of `NetGen.Benchmarks accuracy --out ...`.
Missing inputs leave their columns as "–". W5 (the LSTM sequence model; the sequence issue's "W4") and W6
(the Transformer classifier; the Transformer issue's "W5") have a table each, with GFLOP/s and % of the FMA
peak on both sides. The inference table (NetGen Forward vs ONNX Runtime on NetGen's ONNX export) has no
PyTorch side.
"""

import argparse
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

WORKLOADS = [
    ("W1", "W1 MLP 784-500-10, Sigmoid, SGD, batch 64", "epoch"),
    ("W2", "W2 MLP 784-128-64-10, ReLU, Adam, batch 64", "epoch"),
    ("W3-XOR", "W3 XOR 2-3-1, Sigmoid + BCE, SGD, batch 4", "step"),
    ("W3-LinReg", "W3 linear regression 1-1, MSE, Adam, batch 100", "step"),
    ("W4", "W4 CNN conv32-pool-conv64-pool-dropout-128-10, Adam, batch 64", "epoch"),
]
# FLOPs of one training epoch (60,000 images) of the epoch workloads, for their "% of peak" column: the matrix products
# (convolutions counted as direct ones, an FMA as two) of the forward pass, the weight gradients and the input gradients
# a layer needs (none into the input), per sample: W1 2·(784·500 + 500·10) forward + 2·784·500 + 2·2·500·10 backward =
# 1,598,000; W2 218,368 forward + 236,032 backward = 454,400; W4 5,262,080 forward (conv 389,376 + 4,460,544, dense
# 409,600 + 2,560) + 10,134,784 backward (conv1 dW, conv2 dW and dx, both dense dW and dx) = 15,396,864. With Winograd
# convolutions (W4's second layer) NetGen does fewer: its percentage is then an effective rate.
EPOCH_FLOPS = {"W1": 1_598_000 * 60_000, "W2": 454_400 * 60_000, "W4": 15_396_864 * 60_000}
KERNELS = [
    ("NT", "forward X·Wᵀ+b  (NT, B×500×784)"),
    ("NN", "input grad dZ·W  (NN, B×784×500)"),
    ("TN", "weight grad dZᵀ·X  (TN, 500×784×B)"),
]
# The inference benchmark (InferenceBenchmarks.cs): key stem, network. Keys are Infer-<stem>-NetGen and -ORT.
INFERENCE = [
    ("W1", "W1 MLP 784-500-10 Sigmoid"),
    ("W4", "W4 CNN conv32-pool-conv64-pool-128-10"),
    ("W5", "W5 LSTM emb64-128-128-64, 64 tokens"),
]
DASH = "–"
INSTRUCTION_SETS = {"Vector512": "AVX-512", "Vector256": "AVX2", "Vector128": "SSE or NEON", "Scalar": "none (scalar)"}
# The per-step workloads with a FLOP count: key, heading, what the network is, what one step does, the target.
SEQUENCE_WORKLOADS = [
    ("W5", "W5 sequence model (LSTM; the sequence issue's \"W4\")",
     "Embedding 64 → LSTM 128 → LSTM 128 → Dense 64 Softmax at every step, cross-entropy over all 64 positions, "
     "Adam lr 1e-3, batch 32 of 64 random tokens (vocabulary 64)",
     "forward, loss, backward through time, Adam", None),
    ("W6", "W6 Transformer classifier (the Transformer issue's \"W5\")",
     "Embedding 64 → 2 × TransformerEncoder (4 heads, feed-forward 256 ReLU, dropout 0.1, post-norm) → mean over time "
     "→ Dense 2 Softmax, cross-entropy, AdamW lr 1e-3 weight decay 0.01, batch 32 of 64 random tokens (vocabulary 64) "
     "with random labels",
     "forward with dropout, loss, backward, AdamW", "NetGen ≥ 5× PyTorch (ratio ≥ 5) in the same run"),
]


def load_json(path):
    if path and os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return None


def load_netgen(directory):
    """All cases from *-netgen.json, keyed by (key, threads, batch); the start-up peak; the jobs; and the
    vector width with its instruction set (e.g. ("Vector512", "AVX-512"))."""
    cases, peak, jobs, simd = {}, {}, set(), None
    for path in sorted(glob.glob(os.path.join(directory, "*-netgen.json"))):
        with open(path) as f:
            data = json.load(f)
        if data.get("simd"):
            simd = (data["simd"], data.get("instructionSet") or INSTRUCTION_SETS.get(data["simd"], "?"))
        for threads, gflops in data.get("peakGflops", {}).items():
            peak[int(threads)] = gflops
        for case in data.get("cases", []):
            if "meanNs" not in case:
                continue
            params = case.get("parameters", {})
            cases[(case["key"], params.get("Threads"), params.get("Batch"))] = case
            jobs.add(case.get("job"))
    return cases, peak, jobs, simd


def fmt_time(seconds, unit):
    if seconds is None:
        return DASH
    if unit == "epoch" or seconds >= 1:
        return "%.3f s" % seconds
    if seconds >= 1e-3:
        return "%.2f ms" % (seconds * 1e3)
    return "%.2f µs" % (seconds * 1e6)


def fmt(value, pattern):
    return DASH if value is None else pattern % value


def ratio(pytorch_seconds, netgen_seconds):
    if pytorch_seconds is None or netgen_seconds is None or netgen_seconds == 0:
        return DASH
    return "%.3g×" % (pytorch_seconds / netgen_seconds)


def simd_text(simd):
    """"Vector512 (AVX-512)" from the NetGen JSON, or a dash when no NetGen result was read."""
    return "%s (%s)" % simd if simd else DASH


def sequence_table(workload, netgen, peak, simd, pt_workloads, meta, threads_seen):
    """A per-step workload's table (W5, W6): time per training step on both sides, their ratio, and GFLOP/s and
    % of the FMA peak, all from the medians (BenchmarkDotNet's own GFLOP/s column uses the mean)."""
    key, heading, title, step, target = workload
    rows = []
    for threads in threads_seen:
        ng, pt = netgen.get((key, threads, None)), pt_workloads.get((key, threads))
        if ng is None and pt is None:
            continue
        ng_s = ng["medianNs"] / 1e9 if ng else None
        pt_s = pt["seconds"] if pt else None
        flops = (ng and ng.get("flops")) or (pt and pt.get("flops"))
        ng_g = flops / ng_s / 1e9 if flops and ng_s else None
        pt_g = flops / pt_s / 1e9 if flops and pt_s else None
        p = peak.get(threads)
        rows.append("| %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            threads, fmt(ng_s and ng_s * 1e3, "%.2f"), fmt(pt_s and pt_s * 1e3, "%.2f"), ratio(pt_s, ng_s),
            fmt(ng_g, "%.1f"), fmt(ng_g and p and 100 * ng_g / p, "%.1f%%"), simd[1] if simd and ng else DASH,
            fmt(pt_g, "%.1f"), fmt(pt_g and p and 100 * pt_g / p, "%.1f%%")))
    if not rows:
        return []
    flops = next((c.get("flops") for (k, _, _), c in netgen.items() if k == key and c.get("flops")), None) or \
        next((w.get("flops") for (k, _), w in pt_workloads.items() if k == key and w.get("flops")), None)
    blas = meta.get("openblas", {}) if meta else {}
    cpu = (meta or {}).get("cpu_simd") or {}
    out = ["### " + heading, ""]
    out.append("%s. Time per `TrainStep` (%s), median; ratio = PyTorch time / "
               "NetGen time (above 1: NetGen is faster). %s FLOPs per step (matrix products only, see "
               "docs/benchmarks.md); %% of peak is against NetGen's start-up FMA peak for the same thread count (%s)." % (
                   title, step, "{:,}".format(int(flops)) if flops else DASH,
                   ", ".join("%d thread%s %.1f GFLOP/s" % (t, "" if t == 1 else "s", g) for t, g in sorted(peak.items())) or DASH))
    out.append("")
    out.append("Instruction set: NetGen %s; PyTorch's OpenBLAS core `%s` (CPU: AVX2 %s, AVX-512 %s)." % (
        simd_text(simd), blas.get("corename", blas.get("error", "?")) if blas else DASH,
        yes_no(cpu.get("avx2")), yes_no(cpu.get("avx512f"))))
    out.append("")
    if target:
        out.append("Target: %s." % target)
        out.append("")
    out.append("| Threads | NetGen ms/step | PyTorch ms/step | Ratio | NetGen GFLOP/s | NetGen % of peak "
               "| NetGen instruction set | PyTorch GFLOP/s | PyTorch % of peak |")
    out.append("|--:|--:|--:|--:|--:|--:|---|--:|--:|")
    out.extend(rows)
    out.append("")
    return out


def inference_table(netgen, threads_seen):
    """NetGen Forward vs ONNX Runtime on NetGen's exported model: latency per call (median), batch 1 and 64."""
    rows = []
    for stem, title in INFERENCE:
        for batch in (1, 64):
            for threads in threads_seen:
                ng = netgen.get(("Infer-%s-NetGen" % stem, threads, batch))
                ort = netgen.get(("Infer-%s-ORT" % stem, threads, batch))
                if ng is None and ort is None:
                    continue
                ng_s = ng["medianNs"] / 1e9 if ng else None
                ort_s = ort["medianNs"] / 1e9 if ort else None
                rows.append("| %s | %d | %d | %s | %s | %s |" % (title, batch, threads, fmt_time(ng_s, "call"),
                                                            fmt_time(ort_s, "call"), ratio(ort_s, ng_s)))
    if not rows:
        return []
    out = ["### Inference: NetGen `Forward` vs ONNX Runtime 1.31 (C# API) on the exported model", ""]
    out.append("Median latency per call; ONNX Runtime runs NetGen's ONNX export of the same network (opset 17, "
               "graph optimizations on, intra-op threads = Threads, input and output bound once); ratio = ONNX Runtime "
               "time / NetGen time (above 1: NetGen is faster).")
    out.append("")
    out.append("| Network | Batch | Threads | NetGen | ONNX Runtime | Ratio |")
    out.append("|---|--:|--:|--:|--:|--:|")
    out.extend(rows)
    out.append("")
    return out


def yes_no(value):
    return DASH if value is None else ("yes" if value else "no")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--netgen", default=os.path.join(HERE, "BenchmarkDotNet.Artifacts", "results"))
    parser.add_argument("--pytorch", default=os.path.join(HERE, "results", "pytorch.json"))
    parser.add_argument("--pytorch-tuned", default=os.path.join(HERE, "results", "pytorch-tuned-malloc.json"),
                        help="PyTorch's W4 run with glibc malloc told not to trim (its best case)")
    parser.add_argument("--netgen-accuracy", nargs="*", default=[os.path.join(HERE, "results", "netgen-accuracy-%s.json" % w)
                                                                  for w in ("W1", "W4")])
    args = parser.parse_args()

    netgen, peak, jobs, simd = load_netgen(args.netgen)
    pytorch = load_json(args.pytorch) or {}
    netgen_accuracy = [a for a in (load_json(p) for p in (args.netgen_accuracy or [])) if a]
    if not netgen and not pytorch:
        sys.exit("summarize.py: no results found (looked in %s and %s)" % (args.netgen, args.pytorch))

    pt_workloads = {(w["key"], w["threads"]): w for w in pytorch.get("workloads", [])}
    tuned = load_json(args.pytorch_tuned) or {}
    pt_tuned = {(w["key"].replace("-tuned-malloc", ""), w["threads"]): w for w in tuned.get("workloads", [])}
    pt_kernels = {(k["key"], k["threads"], k["batch"]): k for k in pytorch.get("kernels", [])}
    meta = pytorch.get("meta", {})
    out = []

    quick = "Dry" in jobs or meta.get("quick")
    if quick:
        out.append("> **Quick run** (BenchmarkDotNet jobs: %s; PyTorch quick: %s): these numbers only show that the "
                   "suite runs end to end. Do not quote them." % (", ".join(sorted(j for j in jobs if j)) or DASH,
                                                                   meta.get("quick")))
        out.append("")

    threads_seen = sorted({t for (_, t, _) in netgen if t} | {t for (_, t) in pt_workloads} |
                          {t for (_, t, _) in pt_kernels})

    section = len(out)  # a section whose table would stay empty is left out
    out.append("### Training workloads (Fashion-MNIST, float32)")
    out.append("")
    out.append("Time per epoch (60,000 images) or per training step; ratio = PyTorch time / NetGen time "
               "(above 1: NetGen is faster). % of peak: the epoch's matrix-product FLOPs (summarize.py's EPOCH_FLOPS; "
               "convolutions counted as direct ones, so an effective rate where NetGen runs them by Winograd) per second, "
               "against NetGen's start-up FMA peak for the same thread count.")
    out.append("")
    out.append("| Workload | Per | Threads | NetGen | PyTorch | Ratio | PyTorch, malloc not trimming | Ratio | NetGen % of peak |")
    out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    table = len(out)
    for key, title, unit in WORKLOADS:
        for threads in threads_seen:
            ng = netgen.get((key, threads, None))
            pt = pt_workloads.get((key, threads))
            if ng is None and pt is None:
                continue
            ng_s = ng["medianNs"] / 1e9 if ng else None
            pt_s = pt["seconds"] if pt else None
            tu = pt_tuned.get((key, threads))
            tu_s = tu["seconds"] if tu else None
            flops, p = EPOCH_FLOPS.get(key), peak.get(threads)
            of_peak = 100 * flops / ng_s / 1e9 / p if flops and ng_s and p else None
            out.append("| %s | %s | %d | %s | %s | %s | %s | %s | %s |" % (title, unit, threads, fmt_time(ng_s, unit),
                                                           fmt_time(pt_s, unit), ratio(pt_s, ng_s),
                                                           fmt_time(tu_s, unit) if tu else DASH, ratio(tu_s, ng_s) if tu else DASH,
                                                           fmt(of_peak, "%.1f%%")))
    if len(out) == table:
        del out[section:]
    else:
        out.append("")

    section = len(out)

    out.append("### GEMM kernels (the 784-500 layer's three products)")
    out.append("")
    peak_text = ", ".join("%d thread%s %.1f GFLOP/s" % (t, "" if t == 1 else "s", g) for t, g in sorted(peak.items()))
    fma = [(t, netgen.get(("FMA", t, None))) for t in threads_seen]
    fma_text = ", ".join("%d thread%s %.1f GFLOP/s" % (t, "" if t == 1 else "s", c["gflops"])
                         for t, c in fma if c and c.get("gflops"))
    out.append("FMA peak (register-only %s FMA loop, measured at start-up of the BenchmarkDotNet host): %s. "
               "The FMA peak benchmark itself measured: %s. %% of peak is against the start-up value for the same "
               "thread count." % (simd_text(simd), peak_text or DASH, fma_text or DASH))
    out.append("")
    out.append("| Product | Batch | Threads | NetGen time | NetGen GFLOP/s | NetGen % of peak | PyTorch GFLOP/s "
               "| PyTorch % of peak | Ratio |")
    out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    table = len(out)
    for key, title in KERNELS:
        for batch in (64, 256):
            for threads in threads_seen:
                ng = netgen.get((key, threads, batch))
                pt = pt_kernels.get((key, threads, batch))
                if ng is None and pt is None:
                    continue
                ng_s = ng["meanNs"] / 1e9 if ng else None
                pt_s = pt["seconds"] if pt else None
                pt_peak = 100 * pt["gflops"] / peak[threads] if pt and peak.get(threads) else None
                out.append("| %s | %d | %d | %s | %s | %s | %s | %s | %s |" % (
                    title, batch, threads, fmt_time(ng_s, "kernel"), fmt(ng and ng.get("gflops"), "%.1f"),
                    fmt(ng and ng.get("percentOfPeak"), "%.1f%%"), fmt(pt and pt.get("gflops"), "%.1f"),
                    fmt(pt_peak, "%.1f%%"), ratio(pt_s, ng_s)))
    if len(out) == table and not fma_text:
        del out[section:]
    else:
        out.append("")

    for workload in SEQUENCE_WORKLOADS:
        out.extend(sequence_table(workload, netgen, peak, simd, pt_workloads, meta, threads_seen))

    out.extend(inference_table(netgen, threads_seen))

    pt_accuracy = pytorch.get("accuracy") or []
    if isinstance(pt_accuracy, dict):
        pt_accuracy = [pt_accuracy]
    if netgen_accuracy or pt_accuracy:
        out.append("### Fashion-MNIST test accuracy after the same epochs (batch 64, seed 42)")
        out.append("")
        out.append("| Workload | | Epochs | Test accuracy | Last epoch mean loss |")
        out.append("|---|---|--:|--:|--:|")
        for workload in ("W1", "W4"):
            for name, runs in (("NetGen", netgen_accuracy), ("PyTorch", pt_accuracy)):
                for acc in runs:
                    if acc.get("workload", "W1") == workload:
                        out.append("| %s | %s | %d | %.2f%% | %.4f |" % (workload, name, acc["epochs"], 100 * acc["testAccuracy"],
                                                                       acc["epochLosses"][-1]))
        out.append("")

    if meta:
        blas = meta.get("openblas", {})
        out.append("PyTorch %s (Debian), OpenBLAS core `%s`, %s; TorchSharp not measured (see docs/benchmarks.md)." % (
            meta.get("torch"), blas.get("corename", blas.get("error", "?")), meta.get("cpu")))
    print("\n".join(out))


if __name__ == "__main__":
    main()
