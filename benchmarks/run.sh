#!/usr/bin/env bash
# Runs the NetGen vs PyTorch benchmark suite and prints the comparison tables (docs/benchmarks.md).
#
#   benchmarks/run.sh                  full suite (about 30 minutes on a quiet 2-core machine, more when busy)
#   benchmarks/run.sh --quick          end-to-end check in a few minutes; the numbers mean nothing
#   benchmarks/run.sh --only w6        one part on both sides (a comma-separated subset of
#                                      kernels,w1,w2,w3,w4,w5,w6,accuracy,inference; e.g. --only w2 or --only w5,w6)
#   benchmarks/run.sh --only inference inference latency, NetGen Forward vs ONNX Runtime on NetGen's exported
#                                      models (W1, W4, W5; batch 1 and 64; 1 and 2 threads); no PyTorch side
#   benchmarks/run.sh --isa avx2       both sides limited to AVX2 on an AVX-512 machine, standing in for an AVX2-only
#                                      one: NetGen with DOTNET_EnableAVX512=0, PyTorch with OpenBLAS's Haswell kernels and
#                                      ATen's AVX2 ones; every output name gets "-avx2"; needs --only without inference
#   benchmarks/run.sh [--quick] [--only LIST] [--isa avx2] [--skip-pytorch] [--skip-netgen] [-- <BenchmarkDotNet arguments>]
#       e.g. benchmarks/run.sh --skip-pytorch -- --filter '*KernelBenchmarks*'
#
# Outputs: benchmarks/results/pytorch.json, benchmarks/results/netgen-accuracy-W1.json and -W4.json,
# benchmarks/BenchmarkDotNet.Artifacts/results/* (BenchmarkDotNet's markdown, CSV, HTML, JSON and the
# *-netgen.json files) and benchmarks/results/summary.md (the tables printed at the end). With --only,
# every name gets the list as a suffix (results/pytorch-only-w6.json, BenchmarkDotNet.Artifacts/only-w6/,
# results/summary-only-w6.md), so a partial run leaves the full run's files alone.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
results="$here/results"
artifacts="$here/BenchmarkDotNet.Artifacts"
python=/usr/bin/python3

quick=0
only=""
isa=""
run_pytorch=1
run_netgen=1
bdn_args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=1 ;;
        --only) only="$2"; shift ;;
        --only=*) only="${1#--only=}" ;;
        --skip-pytorch) run_pytorch=0 ;;
        --skip-netgen) run_netgen=0 ;;
        --isa) isa="$2"; shift ;;
        --isa=*) isa="${1#--isa=}" ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        --) shift; bdn_args=("$@"); break ;;
        *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# --only: which parts, and the BenchmarkDotNet filters that select them.
parts=",${only:-kernels,w1,w2,w3,w4,w5,w6,accuracy,inference},"
wants() { [[ $parts == *",$1,"* ]]; }
suffix=""
filters=('*')
if [[ -n $only ]]; then
    for part in ${only//,/ }; do
        case "$part" in
            kernels|w1|w2|w3|w4|w5|w6|accuracy|inference) ;;
            *) echo "run.sh: unknown part '$part' in --only (kernels,w1,w2,w3,w4,w5,w6,accuracy,inference)" >&2; exit 2 ;;
        esac
    done
    suffix="-only-${only//,/-}"
    artifacts="$here/BenchmarkDotNet.Artifacts/only${suffix#-only}"
    filters=()
    wants kernels && filters+=('*KernelBenchmarks*' '*PeakBenchmarks*')
    wants w1 && filters+=('*W1Epoch*')
    wants w2 && filters+=('*W2Epoch*')
    wants w3 && filters+=('*XorStep*' '*LinearRegressionStep*')
    wants w4 && filters+=('*W4Epoch*')
    wants w5 && filters+=('*W5Step*')
    wants w6 && filters+=('*W6Step*')
    wants inference && filters+=('*InferenceBenchmarks*')
fi

case "$isa" in
    "") ;;
    avx2)
        # ONNX Runtime picks its own kernels (DOTNET_EnableAVX512 does not reach it): the inference part would not be AVX2 vs AVX2.
        if [[ -z $only ]] || wants inference; then
            echo "run.sh: --isa avx2 needs --only without inference (ONNX Runtime cannot be limited to AVX2 here)" >&2
            exit 2
        fi
        suffix="$suffix-avx2"
        artifacts="${artifacts}-avx2"
        export DOTNET_EnableAVX512=0 ;;
    *) echo "run.sh: unknown --isa '$isa' (avx2)" >&2; exit 2 ;;
esac

# The inference part has no PyTorch side: with only it, PyTorch does not run.
pytorch_parts=0
for part in kernels w1 w2 w3 w4 w5 w6 accuracy; do wants $part && pytorch_parts=1; done
[[ $pytorch_parts == 0 ]] && run_pytorch=0

# This machine's default environment pins OpenBLAS to Haswell (AVX2) kernels and sets its L2 size:
# PyTorch must see the library's own choice for this CPU — unless --isa avx2 asks for exactly that pinning.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
py_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
if [[ $isa == avx2 ]]; then
    py_env=(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 NETGEN_BENCH_ISA=avx2)
fi

needs_data=0
for part in w1 w2 w4 accuracy; do wants $part && needs_data=1; done
if [[ $needs_data == 1 && ! -d /usr/share/datasets/fashion-mnist && -z "${FASHION_MNIST_DIR:-}" ]]; then
    echo "run.sh: Fashion-MNIST not found in /usr/share/datasets/fashion-mnist. Install it with: apt-get install dataset-fashion-mnist" >&2
    exit 1
fi

mkdir -p "$results"
start=$SECONDS

if [[ $run_pytorch == 1 ]]; then
    echo "== PyTorch ($python) =="
    py_args=(--out "$results/pytorch$suffix.json")
    [[ $quick == 1 ]] && py_args+=(--quick)
    [[ -n $only ]] && py_args+=(--only "$only")
    "${py_env[@]}" "$python" "$here/pytorch/bench.py" "${py_args[@]}"
fi
if [[ $run_pytorch == 1 ]] && wants w4; then
    # PyTorch's best case for the CNN: glibc's malloc told to keep freed activation memory instead of
    # returning it to the kernel (on this VM a first-touch page fault costs about 11 us).
    echo "== PyTorch, W4 with malloc not trimming =="
    tuned_args=(--out "$results/pytorch-tuned-malloc$suffix.json" --only w4 --tag=-tuned-malloc)
    [[ $quick == 1 ]] && tuned_args+=(--quick)
    "${py_env[@]}" \
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
    [[ $has_filter == 0 && ${#filters[@]} -gt 0 ]] && args+=(--filter "${filters[@]}")
    [[ $quick == 1 ]] && args+=(--job dry)
    # Results of an earlier run must not mix with this one's in the summary.
    rm -f "$artifacts"/results/*-netgen.json
    if [[ $has_filter == 1 || ${#filters[@]} -gt 0 ]]; then
        (cd "$here" && "${exe[@]}" "${args[@]}" "${bdn_args[@]}")
    fi

    if wants accuracy; then
        echo "== NetGen accuracy (W1 and W4, Fashion-MNIST test set) =="
        epochs=5
        [[ $quick == 1 ]] && epochs=1
        for workload in W1 W4; do
            (cd "$here" && "${exe[@]}" accuracy --workload "$workload" --epochs "$epochs" --out "$results/netgen-accuracy$suffix-$workload.json")
        done
    fi
fi

echo "== Summary (also in $results/summary$suffix.md) =="
"$python" "$here/summarize.py" --netgen "$artifacts/results" --pytorch "$results/pytorch$suffix.json" \
    --pytorch-tuned "$results/pytorch-tuned-malloc$suffix.json" \
    --netgen-accuracy "$results/netgen-accuracy$suffix-W1.json" "$results/netgen-accuracy$suffix-W4.json" | tee "$results/summary$suffix.md"
echo "(run.sh took $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s)"
