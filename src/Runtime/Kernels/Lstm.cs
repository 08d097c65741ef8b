using System;
using System.Numerics.Tensors;

namespace NetGen.Kernels
{
    /// <summary>
    /// One LSTM layer exactly as PyTorch's <c>nn.LSTM(batch_first=True)</c> with a zero initial state.
    /// Weights <c>W_ih [4H, I]</c>, <c>W_hh [4H, H]</c>, biases <c>b_ih, b_hh [4H]</c>, gate row blocks in
    /// PyTorch's order i, f, g, o:
    /// <c>i = σ(W_ii x + b_ii + W_hi h + b_hi)</c>, <c>f = σ(…)</c>, <c>g = tanh(…)</c>, <c>o = σ(…)</c>;
    /// <c>c′ = f⊙c + i⊙g</c>; <c>h′ = o⊙tanh(c′)</c>. Sequences are batch-first: <c>x [B, T, I]</c>, <c>y [B, T, H]</c>.
    /// <para>
    /// Laid out like oneDNN's RNN: the input projection of all time steps is one large product
    /// (<c>x[B·T, I]·W_ihᵀ + b_ih</c>), so only <c>h·W_hhᵀ [B, H]×[H, 4H]</c> runs per step, followed by the
    /// gate nonlinearities and cell update of each row. Backward walks the steps in reverse computing the
    /// gate gradients and <c>dh_{t−1} = dGates·W_hh</c>, then forms every parameter gradient and
    /// <c>dx</c> with one product each over all <c>B·T</c> rows.
    /// </para>
    /// <para>
    /// <c>saved</c> (<see cref="SavedSize"/> per sample) holds, batch-first: the activated gates
    /// <c>[B, T, 4H]</c> and the cells <c>[B, T, H]</c>, then the forward pass's per-step workspace.
    /// </para>
    /// </summary>
    public static unsafe class Lstm
    {
        /// <summary>Floats of <c>saved</c> per sample: gates <c>4H</c> and cell <c>H</c> per step, plus <c>h·W_hhᵀ [4H]</c> and <c>h [H]</c> of the running step.</summary>
        public static int SavedSize(int steps, int hidden) => 5 * steps * hidden + 5 * hidden;

        /// <summary>
        /// Floats of <c>scratch</c> per sample for <see cref="Backward"/>: gate gradients <c>4H</c> and the
        /// previous output <c>H</c> per step, plus the running step's gate gradients <c>[4H]</c>, <c>dh</c> and <c>dc</c>.
        /// </summary>
        public static int ScratchSize(int steps, int input, int hidden) => 5 * steps * hidden + 6 * hidden;

        /// <summary>Floats of <c>scratch</c> per sample for <see cref="Step"/>: the input and the recurrent projections, <c>4H</c> each.</summary>
        public static int StepScratchSize(int hidden) => 8 * hidden;

        /// <summary>
        /// <c>y [B, T, H]</c> = the hidden state after every step of <c>x [B, T, I]</c>, starting from
        /// <c>h = c = 0</c>; fills <paramref name="saved"/> (<c>B ×</c> <see cref="SavedSize"/>) for <see cref="Backward"/>.
        /// </summary>
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh,
            ReadOnlySpan<float> bHh, Span<float> y, Span<float> saved, int batch, int steps, int input, int hidden)
        {
            CheckParameters(wIh.Length, wHh.Length, bIh.Length, bHh.Length, input, hidden, nameof(bIh), nameof(bHh));
            Recurrent.CheckSizes(batch, steps, input, hidden);
            long rows = (long)batch * steps;
            Recurrent.Require(x.Length, rows * input, nameof(x));
            Recurrent.Require(y.Length, rows * hidden, nameof(y));
            Recurrent.Require(saved.Length, (long)batch * SavedSize(steps, hidden), nameof(saved));
            if (batch == 0)
            {
                return;
            }
            int gateWidth = 4 * hidden, sequenceRows = batch * steps;
            Span<float> savedRest = saved;
            Span<float> gates = Recurrent.Take(ref savedRest, sequenceRows * gateWidth); // [B, T, 4H]
            Span<float> cells = Recurrent.Take(ref savedRest, sequenceRows * hidden); // [B, T, H]
            Span<float> recurrent = Recurrent.Take(ref savedRest, batch * gateWidth); // [B, 4H]
            Span<float> h = Recurrent.Take(ref savedRest, batch * hidden); // [B, H]

            // Every step's input projection at once: gates[B·T, 4H] = x[B·T, I]·W_ihᵀ + b_ih.
            Dense.Forward(x, wIh, bIh, gates, sequenceRows, input, gateWidth);
            for (int b = 0; b < batch; b++)
            {
                bHh.Slice(0, gateWidth).CopyTo(recurrent.Slice(b * gateWidth, gateWidth)); // h_{−1} = 0: only b_hh
            }
            fixed (float* pGates = gates, pCells = cells, pRecurrent = recurrent, pH = h, pY = y)
            {
                for (int t = 0; t < steps; t++)
                {
                    if (t > 0)
                    {
                        Gemm.MultiplyNT(batch, gateWidth, hidden, h, wHh, recurrent, accumulate: false, bHh.Slice(0, gateWidth));
                    }
                    var step = new CellStep
                    {
                        Gates = pGates + t * gateWidth,
                        GatesStride = steps * gateWidth,
                        Recurrent = pRecurrent,
                        C = pCells + t * hidden,
                        CPrev = t > 0 ? pCells + (t - 1) * hidden : null,
                        CStride = steps * hidden,
                        H = pH,
                        Y = pY + t * hidden,
                        YStride = steps * hidden,
                        Hidden = hidden,
                    };
                    Recurrent.ForEachRow(batch, hidden, &ForwardRow, &step);
                }
            }
        }

        /// <summary>
        /// Gradients of one layer from <c>dy [B, T, H] = ∂L/∂y</c> (read-only), given the layer's
        /// <paramref name="x"/>, <paramref name="y"/> and <paramref name="saved"/> from <see cref="Forward"/>.
        /// Overwrites (never accumulates) <c>dW_ih [4H, I]</c>, <c>dW_hh [4H, H]</c>, <c>db_ih</c>, <c>db_hh [4H]</c>
        /// and, unless it is empty, <c>dx [B, T, I]</c>. <paramref name="scratch"/>: <c>B ×</c> <see cref="ScratchSize"/>.
        /// </summary>
        public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> y,
            ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx, Span<float> dWIh, Span<float> dWHh, Span<float> dBIh,
            Span<float> dBHh, Span<float> scratch, int batch, int steps, int input, int hidden)
        {
            CheckParameters(wIh.Length, wHh.Length, dBIh.Length, dBHh.Length, input, hidden, nameof(dBIh), nameof(dBHh));
            Recurrent.CheckSizes(batch, steps, input, hidden);
            int gateWidth = 4 * hidden;
            long rows = (long)batch * steps;
            Recurrent.Require(x.Length, rows * input, nameof(x));
            Recurrent.Require(y.Length, rows * hidden, nameof(y));
            Recurrent.Require(dy.Length, rows * hidden, nameof(dy));
            Recurrent.Require(saved.Length, (long)batch * SavedSize(steps, hidden), nameof(saved));
            Recurrent.Require(scratch.Length, (long)batch * ScratchSize(steps, input, hidden), nameof(scratch));
            Recurrent.Require(dWIh.Length, (long)gateWidth * input, nameof(dWIh));
            Recurrent.Require(dWHh.Length, (long)gateWidth * hidden, nameof(dWHh));
            if (!dx.IsEmpty)
            {
                Recurrent.Require(dx.Length, rows * input, nameof(dx));
            }
            int sequenceRows = batch * steps;
            ReadOnlySpan<float> savedRest = saved;
            ReadOnlySpan<float> gates = Recurrent.Take(ref savedRest, sequenceRows * gateWidth); // [B, T, 4H]
            ReadOnlySpan<float> cells = Recurrent.Take(ref savedRest, sequenceRows * hidden); // [B, T, H]
            Span<float> scratchRest = scratch;
            Span<float> dGates = Recurrent.Take(ref scratchRest, sequenceRows * gateWidth); // [B, T, 4H]
            Span<float> hPrev = Recurrent.Take(ref scratchRest, sequenceRows * hidden); // [B, T, H]
            Span<float> dStep = Recurrent.Take(ref scratchRest, batch * gateWidth); // [B, 4H]
            Span<float> dh = Recurrent.Take(ref scratchRest, batch * hidden); // [B, H]
            Span<float> dc = Recurrent.Take(ref scratchRest, batch * hidden); // [B, H]

            dh.Clear(); // nothing flows back into the last step but dy
            dc.Clear();
            fixed (float* pGates = gates, pCells = cells, pDy = dy, pDGates = dGates, pDStep = dStep, pDh = dh, pDc = dc)
            {
                for (int t = steps - 1; t >= 0; t--)
                {
                    var step = new CellGradient
                    {
                        Gates = pGates + t * gateWidth,
                        DGates = pDGates + t * gateWidth,
                        GatesStride = steps * gateWidth,
                        C = pCells + t * hidden,
                        CPrev = t > 0 ? pCells + (t - 1) * hidden : null,
                        Dy = pDy + t * hidden,
                        SequenceStride = steps * hidden,
                        DStep = pDStep,
                        Dh = pDh,
                        Dc = pDc,
                        Hidden = hidden,
                    };
                    Recurrent.ForEachRow(batch, hidden, &BackwardRow, &step);
                    if (t > 0)
                    {
                        // dh_{t−1}[B, H] = dGates_t[B, 4H]·W_hh[4H, H]
                        Gemm.MultiplyNN(batch, hidden, gateWidth, dStep, wHh, dh, accumulate: false);
                    }
                }
            }
            // After the loop, one product each over all B·T rows.
            Recurrent.ShiftOneStep(y, hPrev, batch, steps, hidden);
            Dense.BackwardParameters(dGates, x, dWIh, dBIh, sequenceRows, input, gateWidth);
            Gemm.MultiplyTN(gateWidth, hidden, sequenceRows, dGates, hPrev, dWHh, accumulate: false);
            dBIh.Slice(0, gateWidth).CopyTo(dBHh); // both biases enter every gate the same way
            if (!dx.IsEmpty)
            {
                Dense.BackwardInput(dGates, wIh, dx, sequenceRows, input, gateWidth);
            }
        }

        /// <summary>
        /// One step of inference (generation): <c>x [B, I]</c> moves the carried state <c>h, c [B, H]</c>
        /// forward in place, with the same arithmetic as a step of <see cref="Forward"/>.
        /// <paramref name="scratch"/>: <c>B ×</c> <see cref="StepScratchSize"/>.
        /// </summary>
        public static void Step(ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh,
            ReadOnlySpan<float> bHh, Span<float> h, Span<float> c, Span<float> scratch, int batch, int input, int hidden)
        {
            CheckParameters(wIh.Length, wHh.Length, bIh.Length, bHh.Length, input, hidden, nameof(bIh), nameof(bHh));
            Recurrent.CheckSizes(batch, 1, input, hidden);
            Recurrent.Require(x.Length, (long)batch * input, nameof(x));
            Recurrent.Require(h.Length, (long)batch * hidden, nameof(h));
            Recurrent.Require(c.Length, (long)batch * hidden, nameof(c));
            Recurrent.Require(scratch.Length, (long)batch * StepScratchSize(hidden), nameof(scratch));
            if (batch == 0)
            {
                return;
            }
            int gateWidth = 4 * hidden;
            Span<float> scratchRest = scratch;
            Span<float> gates = Recurrent.Take(ref scratchRest, batch * gateWidth); // [B, 4H]
            Span<float> recurrent = Recurrent.Take(ref scratchRest, batch * gateWidth); // [B, 4H]
            Dense.Forward(x, wIh, bIh, gates, batch, input, gateWidth);
            Gemm.MultiplyNT(batch, gateWidth, hidden, h, wHh, recurrent, accumulate: false, bHh.Slice(0, gateWidth));
            fixed (float* pGates = gates, pRecurrent = recurrent, pH = h, pC = c)
            {
                var step = new CellStep
                {
                    Gates = pGates,
                    GatesStride = gateWidth,
                    Recurrent = pRecurrent,
                    C = pC,
                    CPrev = pC,
                    CStride = hidden,
                    H = pH,
                    Y = null,
                    Hidden = hidden,
                };
                Recurrent.ForEachRow(batch, hidden, &ForwardRow, &step);
            }
        }

        /// <summary>
        /// One row's step: <c>gates</c> holds <c>W_ih x + b_ih</c> and becomes the activated gates i, f, g, o;
        /// <c>recurrent</c> holds <c>W_hh h + b_hh</c> and is then used as workspace; <c>c = f⊙cPrev + i⊙g</c>
        /// (<paramref name="cPrev"/> empty: zero; it may be <paramref name="c"/> itself); <c>h = o⊙tanh(c)</c>.
        /// </summary>
        internal static void CellForward(Span<float> gates, Span<float> recurrent, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> h)
        {
            int hidden = h.Length;
            TensorPrimitives.Add(gates, recurrent, gates);
            Span<float> inputForget = gates.Slice(0, 2 * hidden), i = gates.Slice(0, hidden), f = gates.Slice(hidden, hidden);
            Span<float> g = gates.Slice(2 * hidden, hidden), o = gates.Slice(3 * hidden, hidden);
            TensorPrimitives.Sigmoid(inputForget, inputForget);
            TensorPrimitives.Tanh(g, g);
            TensorPrimitives.Sigmoid(o, o);
            Span<float> inputTimesCandidate = recurrent.Slice(0, hidden);
            TensorPrimitives.Multiply(i, g, inputTimesCandidate);
            if (cPrev.IsEmpty)
            {
                inputTimesCandidate.CopyTo(c);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(f, cPrev, inputTimesCandidate, c);
            }
            TensorPrimitives.Tanh(c, h);
            TensorPrimitives.Multiply(o, h, h);
        }

        /// <summary>
        /// One row's step backward. In: the activated <paramref name="gates"/>, the cells, <c>dy</c>,
        /// <paramref name="dh"/> = what flows back from step t+1 (overwritten), <paramref name="dc"/> =
        /// ∂L/∂c from step t+1, replaced by ∂L/∂c_{t−1}. Out: the pre-activation gate gradients, in
        /// <paramref name="dGates"/> and its copy <paramref name="dGatesSaved"/>.
        /// </summary>
        internal static void CellBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> c, ReadOnlySpan<float> dy,
            Span<float> dh, Span<float> dc, Span<float> dGates, Span<float> dGatesSaved)
        {
            int hidden = c.Length;
            ReadOnlySpan<float> i = gates.Slice(0, hidden), f = gates.Slice(hidden, hidden);
            ReadOnlySpan<float> g = gates.Slice(2 * hidden, hidden), o = gates.Slice(3 * hidden, hidden);
            Span<float> di = dGates.Slice(0, hidden), df = dGates.Slice(hidden, hidden);
            Span<float> dg = dGates.Slice(2 * hidden, hidden), dO = dGates.Slice(3 * hidden, hidden);

            TensorPrimitives.Add(dy, dh, dh);                 // ∂L/∂h_t
            TensorPrimitives.Tanh(c, dO);                     // dO ← tanh(c_t)
            Span<float> dCell = dg;                           // dg ← ∂L/∂c_t until dg itself is due
            TensorPrimitives.Multiply(dh, o, dCell);
            Activations.TanhBackward(dO, dCell);
            TensorPrimitives.Add(dCell, dc, dCell);
            TensorPrimitives.Multiply(dO, dh, dO);
            Activations.SigmoidBackward(o, dO);               // dO = dh⊙tanh(c)⊙o(1−o)
            TensorPrimitives.Multiply(dCell, g, di);
            Activations.SigmoidBackward(i, di);               // di = dc⊙g⊙i(1−i)
            if (cPrev.IsEmpty)
            {
                df.Clear();
            }
            else
            {
                TensorPrimitives.Multiply(dCell, cPrev, df);
                Activations.SigmoidBackward(f, df);           // df = dc⊙c_{t−1}⊙f(1−f)
            }
            TensorPrimitives.Multiply(dCell, f, dc);          // ∂L/∂c_{t−1}
            TensorPrimitives.Multiply(dCell, i, dg);
            Activations.TanhBackward(g, dg);                  // dg = dc⊙i⊙(1−g²)
            dGates.CopyTo(dGatesSaved);
        }

        private static void CheckParameters(int wIh, int wHh, int bIh, int bHh, int input, int hidden, string bIhName, string bHhName)
        {
            long gateWidth = 4L * hidden;
            Recurrent.Require(wIh, gateWidth * input, "wIh");
            Recurrent.Require(wHh, gateWidth * hidden, "wHh");
            Recurrent.Require(bIh, gateWidth, bIhName);
            Recurrent.Require(bHh, gateWidth, bHhName);
        }

        /// <summary>Row <paramref name="b"/> of a forward step (a thin dispatcher: see <see cref="WorkerPool"/>).</summary>
        private static void ForwardRow(void* state, int b)
        {
            ref CellStep s = ref *(CellStep*)state;
            int hidden = s.Hidden;
            var h = new Span<float>(s.H + (nint)b * hidden, hidden);
            CellForward(
                new Span<float>(s.Gates + b * s.GatesStride, 4 * hidden),
                new Span<float>(s.Recurrent + (nint)b * 4 * hidden, 4 * hidden),
                s.CPrev is null ? ReadOnlySpan<float>.Empty : new ReadOnlySpan<float>(s.CPrev + b * s.CStride, hidden),
                new Span<float>(s.C + b * s.CStride, hidden),
                h);
            if (s.Y is not null)
            {
                h.CopyTo(new Span<float>(s.Y + b * s.YStride, hidden));
            }
        }

        /// <summary>Row <paramref name="b"/> of a backward step (a thin dispatcher).</summary>
        private static void BackwardRow(void* state, int b)
        {
            ref CellGradient s = ref *(CellGradient*)state;
            int hidden = s.Hidden;
            CellBackward(
                new ReadOnlySpan<float>(s.Gates + b * s.GatesStride, 4 * hidden),
                s.CPrev is null ? ReadOnlySpan<float>.Empty : new ReadOnlySpan<float>(s.CPrev + b * s.SequenceStride, hidden),
                new ReadOnlySpan<float>(s.C + b * s.SequenceStride, hidden),
                new ReadOnlySpan<float>(s.Dy + b * s.SequenceStride, hidden),
                new Span<float>(s.Dh + (nint)b * hidden, hidden),
                new Span<float>(s.Dc + (nint)b * hidden, hidden),
                new Span<float>(s.DStep + (nint)b * 4 * hidden, 4 * hidden),
                new Span<float>(s.DGates + b * s.GatesStride, 4 * hidden));
        }

        /// <summary>Where one forward step reads and writes: row <c>b</c> of each array starts at <c>base + b·stride</c>.</summary>
        private struct CellStep
        {
            public float* Gates, Recurrent, C, CPrev, H, Y;
            public nint GatesStride, CStride, YStride;
            public int Hidden;
        }

        /// <summary>Where one backward step reads and writes (sequence arrays with their strides, per-step arrays dense).</summary>
        private struct CellGradient
        {
            public float* Gates, DGates, C, CPrev, Dy, DStep, Dh, Dc;
            public nint GatesStride, SequenceStride;
            public int Hidden;
        }
    }
}
