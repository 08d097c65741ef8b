#!/usr/bin/env bash
# Runs the NetGen vs PyTorch benchmark suite and prints the comparison tables (docs/benchmarks.md).
#
#   benchmarks/run.sh                  full suite (about 30 minutes on a quiet 2-core machine, more when busy)
#   benchmarks/run.sh --quick          end-to-end check in a few minutes; the numbers mean nothing
#   benchmarks/run.sh [--quick] [--skip-pytorch] [--skip-netgen] [-- <BenchmarkDotNet arguments>]
#       e.g. benchmarks/run.sh --skip-pytorch -- --filter '*KernelBenchmarks*'
#
# Outputs: benchmarks/results/pytorch.json, benchmarks/results/netgen-accuracy.json,
# benchmarks/BenchmarkDotNet.Artifacts/results/* (BenchmarkDotNet's markdown, CSV, HTML, JSON and the
# *-netgen.json files) and benchmarks/results/summary.md (the tables printed at the end).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
results="$here/results"
artifacts="$here/BenchmarkDotNet.Artifacts"
python=/usr/bin/python3

quick=0
run_pytorch=1
run_netgen=1
bdn_args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=1 ;;
        --skip-pytorch) run_pytorch=0 ;;
        --skip-netgen) run_netgen=0 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        --) shift; bdn_args=("$@"); break ;;
        *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# This machine's default environment pins OpenBLAS to Haswell (AVX2) kernels and sets its L2 size:
# PyTorch must see the library's own choice for this CPU.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE

if [[ ! -d /usr/share/datasets/fashion-mnist && -z "${FASHION_MNIST_DIR:-}" ]]; then
    echo "run.sh: Fashion-MNIST not found in /usr/share/datasets/fashion-mnist. Install it with: apt-get install dataset-fashion-mnist" >&2
    exit 1
fi

mkdir -p "$results"
start=$SECONDS

if [[ $run_pytorch == 1 ]]; then
    echo "== PyTorch ($python) =="
    py_args=(--out "$results/pytorch.json")
    [[ $quick == 1 ]] && py_args+=(--quick)
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" "$here/pytorch/bench.py" "${py_args[@]}"
    # PyTorch's best case for the CNN: glibc's malloc told to keep freed activation memory instead of
    # returning it to the kernel (on this VM a first-touch page fault costs about 11 us).
    echo "== PyTorch, W4 with malloc not trimming =="
    tuned_args=(--out "$results/pytorch-tuned-malloc.json" --only w4 --tag=-tuned-malloc)
    [[ $quick == 1 ]] && tuned_args+=(--quick)
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=68719476736:glibc.malloc.top_pad=268435456 \
        "$python" "$here/pytorch/bench.py" "${tuned_args[@]}"
fi

if [[ $run_netgen == 1 ]]; then
    echo "== NetGen (BenchmarkDotNet) =="
    dotnet build "$here/NetGen.Benchmarks" -c Release -nologo -v quiet
    exe=(dotnet "$here/NetGen.Benchmarks/bin/Release/net10.0/NetGen.Benchmarks.dll")

    args=(--artifacts "$artifacts")
    has_filter=0
    for a in "${bdn_args[@]}"; do
        [[ $a == --filter || $a == -f || $a == --filter=* ]] && has_filter=1
    done
    [[ $has_filter == 0 ]] && args+=(--filter '*')
    [[ $quick == 1 ]] && args+=(--job dry)
    # Results of an earlier run must not mix with this one's in the summary.
    rm -f "$artifacts"/results/*-netgen.json
    (cd "$here" && "${exe[@]}" "${args[@]}" "${bdn_args[@]}")

    echo "== NetGen accuracy (W1 and W4, Fashion-MNIST test set) =="
    epochs=5
    [[ $quick == 1 ]] && epochs=1
    for workload in W1 W4; do
        (cd "$here" && "${exe[@]}" accuracy --workload "$workload" --epochs "$epochs" --out "$results/netgen-accuracy-$workload.json")
    done
fi

echo "== Summary (also in $results/summary.md) =="
"$python" "$here/summarize.py" --netgen "$artifacts/results" --pytorch "$results/pytorch.json" \
    --pytorch-tuned "$results/pytorch-tuned-malloc.json" \
    --netgen-accuracy "$results/netgen-accuracy-W1.json" "$results/netgen-accuracy-W4.json" | tee "$results/summary.md"
echo "(run.sh took $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s)"
