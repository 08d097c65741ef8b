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
    /// (<c>x[B·T, I]·W_ihᵀ + b_ih</c>), so only <c>h·W_hhᵀ</c> runs per step, followed by the gate
    /// nonlinearities and cell update of each row. Samples never meet, so blocks of rows
    /// (<see cref="Recurrent.RowsPerBlock"/>) go through all steps on their own core, with no
    /// synchronization between steps. Backward walks the steps in reverse computing the gate gradients
    /// and <c>dh_{t−1} = dGates·W_hh</c>, then forms every parameter gradient and <c>dx</c> with one
    /// product each over all <c>B·T</c> rows.
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
            Recurrent.CheckParameters(4, wIh.Length, wHh.Length, bIh.Length, bHh.Length, input, hidden, nameof(bIh), nameof(bHh));
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

            // Every step's input projection at once: gates[B·T, 4H] = x[B·T, I]·W_ihᵀ + b_ih (with a short input, as broadcast
            // tiles over W_ihᵀ: Gemm.MultiplyNT's own choice).
            Dense.Forward(x, wIh, bIh, gates, sequenceRows, input, gateWidth);
            fixed (float* pGates = gates, pCells = cells, pRecurrent = recurrent, pH = h, pY = y, pWHh = wHh, pBHh = bHh)
            {
                var job = new SequenceJob
                {
                    Gates = pGates,
                    Cells = pCells,
                    Recurrent = pRecurrent,
                    H = pH,
                    Y = pY,
                    WHh = pWHh,
                    WHhTransposed = steps > 1 ? Recurrent.Transposed(wHh, gateWidth, hidden) : null,
                    BHh = pBHh,
                    Batch = batch,
                    Steps = steps,
                    Hidden = hidden,
                    Carried = false,
                };
                Recurrent.RunBlocks(batch, 2L * sequenceRows * gateWidth * hidden, &ForwardBlock, &job);
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
            Recurrent.CheckParameters(4, wIh.Length, wHh.Length, dBIh.Length, dBHh.Length, input, hidden, nameof(dBIh), nameof(dBHh));
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

            fixed (float* pGates = gates, pCells = cells, pDy = dy, pDGates = dGates, pDStep = dStep, pDh = dh, pDc = dc, pWHh = wHh)
            {
                var job = new GradientJob
                {
                    Gates = pGates,
                    Cells = pCells,
                    Dy = pDy,
                    DGates = pDGates,
                    DStep = pDStep,
                    Dh = pDh,
                    Dc = pDc,
                    WHh = pWHh,
                    Batch = batch,
                    Steps = steps,
                    Hidden = hidden,
                };
                Recurrent.RunBlocks(batch, 2L * sequenceRows * gateWidth * hidden, &BackwardBlock, &job);
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
            Recurrent.CheckParameters(4, wIh.Length, wHh.Length, bIh.Length, bHh.Length, input, hidden, nameof(bIh), nameof(bHh));
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
            fixed (float* pGates = gates, pRecurrent = recurrent, pH = h, pC = c, pWHh = wHh, pBHh = bHh)
            {
                // One step of a sequence job whose state is carried in: c is both c_{t−1} and c_t.
                var job = new SequenceJob
                {
                    Gates = pGates,
                    Cells = pC,
                    Recurrent = pRecurrent,
                    H = pH,
                    Y = null,
                    WHh = pWHh,
                    BHh = pBHh,
                    Batch = batch,
                    Steps = 1,
                    Hidden = hidden,
                    Carried = true,
                };
                Recurrent.RunBlocks(batch, 2L * batch * gateWidth * hidden, &ForwardBlock, &job);
            }
        }

        /// <summary>
        /// One row's step: <c>gates</c> holds <c>W_ih x + b_ih</c> and becomes the activated gates i, f, g, o;
        /// <c>recurrent</c> holds <c>W_hh h + b_hh</c> (read only); <c>c = f⊙cPrev + i⊙g</c>
        /// (<paramref name="cPrev"/> empty: zero; it may be <paramref name="c"/> itself); <c>h = o⊙tanh(c)</c>.
        /// </summary>
        internal static void CellForward(Span<float> gates, Span<float> recurrent, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> h)
        {
            fixed (float* pGates = gates, pRecurrent = recurrent, pCPrev = cPrev, pC = c, pH = h)
            {
                LstmCell.Forward(pGates, pRecurrent, cPrev.IsEmpty ? null : pCPrev, pC, pH, h.Length);
            }
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
            fixed (float* pGates = gates, pCPrev = cPrev, pC = c, pDy = dy, pDh = dh, pDc = dc, pDGates = dGates, pSaved = dGatesSaved)
            {
                LstmCell.Backward(pGates, cPrev.IsEmpty ? null : pCPrev, pC, pDy, pDh, pDc, pDGates, pSaved, c.Length);
            }
        }

        /// <summary>One block of rows through every step (a thin dispatcher: see <see cref="WorkerPool"/>).</summary>
        private static void ForwardBlock(void* state, int block)
        {
            ref SequenceJob job = ref *(SequenceJob*)state;
            (int first, int count) = Recurrent.BlockRows(block, job.Batch);
            ForwardRows(ref job, first, count);
        }

        /// <summary>Rows <c>[first, first + count)</c> through every step: their recurrent product, then each row's gate math.</summary>
        private static void ForwardRows(ref SequenceJob job, int first, int count)
        {
            int hidden = job.Hidden, gateWidth = 4 * hidden, steps = job.Steps;
            for (int t = 0; t < steps; t++)
            {
                Recurrent.Project(job.H + (nint)first * hidden, job.WHh, job.WHhTransposed, job.BHh, job.Recurrent + (nint)first * gateWidth, count, hidden, gateWidth,
                    zeroState: t == 0 && !job.Carried);
                for (int b = first; b < first + count; b++)
                {
                    nint row = (nint)b * steps + t;
                    float* c = job.Cells + row * hidden;
                    ReadOnlySpan<float> cPrev = job.Carried ? new ReadOnlySpan<float>(c, hidden)
                        : t > 0 ? new ReadOnlySpan<float>(c - hidden, hidden) : ReadOnlySpan<float>.Empty;
                    var h = new Span<float>(job.H + (nint)b * hidden, hidden);
                    CellForward(new Span<float>(job.Gates + row * gateWidth, gateWidth), new Span<float>(job.Recurrent + (nint)b * gateWidth, gateWidth),
                        cPrev, new Span<float>(c, hidden), h);
                    if (job.Y is not null)
                    {
                        h.CopyTo(new Span<float>(job.Y + row * hidden, hidden));
                    }
                }
            }
        }

        /// <summary>One block of rows back through every step (a thin dispatcher).</summary>
        private static void BackwardBlock(void* state, int block)
        {
            ref GradientJob job = ref *(GradientJob*)state;
            (int first, int count) = Recurrent.BlockRows(block, job.Batch);
            BackwardRows(ref job, first, count);
        }

        /// <summary>Rows <c>[first, first + count)</c> back through every step: each row's gate gradients, then <c>dh_{t−1} = dGates_t·W_hh</c>.</summary>
        private static void BackwardRows(ref GradientJob job, int first, int count)
        {
            int hidden = job.Hidden, gateWidth = 4 * hidden, steps = job.Steps;
            float* dh = job.Dh + (nint)first * hidden, dc = job.Dc + (nint)first * hidden;
            new Span<float>(dh, count * hidden).Clear(); // nothing flows back into the last step but dy
            new Span<float>(dc, count * hidden).Clear();
            for (int t = steps - 1; t >= 0; t--)
            {
                for (int b = first; b < first + count; b++)
                {
                    nint row = (nint)b * steps + t;
                    float* c = job.Cells + row * hidden;
                    CellBackward(
                        new ReadOnlySpan<float>(job.Gates + row * gateWidth, gateWidth),
                        t > 0 ? new ReadOnlySpan<float>(c - hidden, hidden) : ReadOnlySpan<float>.Empty,
                        new ReadOnlySpan<float>(c, hidden),
                        new ReadOnlySpan<float>(job.Dy + row * hidden, hidden),
                        new Span<float>(job.Dh + (nint)b * hidden, hidden),
                        new Span<float>(job.Dc + (nint)b * hidden, hidden),
                        new Span<float>(job.DStep + (nint)b * gateWidth, gateWidth),
                        new Span<float>(job.DGates + row * gateWidth, gateWidth));
                }
                if (t > 0)
                {
                    Recurrent.ProjectBack(job.DStep + (nint)first * gateWidth, job.WHh, dh, count, hidden, gateWidth, accumulate: false);
                }
            }
        }

        /// <summary>
        /// A forward pass over a batch: <c>Gates [B, T, 4H]</c> (in: <c>W_ih x + b_ih</c>), <c>Cells [B, T, H]</c>,
        /// <c>Y [B, T, H]</c> (or null), and the running step's <c>Recurrent [B, 4H]</c> and <c>H [B, H]</c>.
        /// <c>Carried</c>: <c>H</c> and <c>Cells</c> hold the previous state (a <see cref="Step"/>) rather than zero.
        /// </summary>
        private struct SequenceJob
        {
            public float* Gates, Cells, Recurrent, H, Y, WHh, WHhTransposed, BHh;
            public int Batch, Steps, Hidden;
            public bool Carried;
        }

        /// <summary>A backward pass: the saved <c>Gates</c>, <c>Cells</c>; <c>Dy</c>, <c>DGates</c> (all <c>[B, T, …]</c>); the running step's <c>DStep [B, 4H]</c>, <c>Dh</c>, <c>Dc [B, H]</c>.</summary>
        private struct GradientJob
        {
            public float* Gates, Cells, Dy, DGates, DStep, Dh, Dc, WHh;
            public int Batch, Steps, Hidden;
        }
    }
}
