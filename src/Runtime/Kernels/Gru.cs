using System;
using System.Numerics.Tensors;

namespace NetGen.Kernels
{
    /// <summary>
    /// One GRU layer exactly as PyTorch's <c>nn.GRU(batch_first=True)</c> with a zero initial state.
    /// Weights <c>W_ih [3H, I]</c>, <c>W_hh [3H, H]</c>, biases <c>b_ih, b_hh [3H]</c>, row blocks in
    /// PyTorch's order r, z, n:
    /// <c>r = σ(W_ir x + b_ir + W_hr h + b_hr)</c>; <c>z = σ(W_iz x + b_iz + W_hz h + b_hz)</c>;
    /// <c>n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))</c>; <c>h′ = (1 − z)⊙n + z⊙h</c>.
    /// Sequences are batch-first: <c>x [B, T, I]</c>, <c>y [B, T, H]</c>.
    /// <para>
    /// Organized like <see cref="Lstm"/>: one product for the input projection of all steps, only
    /// <c>h·W_hhᵀ</c> per step (blocks of samples through all steps, each on its own core), one
    /// product per parameter gradient after the backward loop. The
    /// input and recurrent projections have gradients of their own here (r scales only the recurrent
    /// part of n), so backward keeps two gate-gradient matrices.
    /// </para>
    /// <para>
    /// <c>saved</c> (<see cref="SavedSize"/> per sample) holds, batch-first: the activated gates
    /// <c>[B, T, 3H]</c> and <c>W_hn h + b_hn [B, T, H]</c>, then the forward pass's per-step workspace.
    /// </para>
    /// </summary>
    public static unsafe class Gru
    {
        /// <summary>Floats of <c>saved</c> per sample: gates <c>3H</c> and <c>W_hn h + b_hn</c> <c>H</c> per step, plus <c>h·W_hhᵀ [3H]</c> and <c>h [H]</c> of the running step.</summary>
        public static int SavedSize(int steps, int hidden) => 4 * steps * hidden + 4 * hidden;

        /// <summary>
        /// Floats of <c>scratch</c> per sample for <see cref="Backward"/>: input and recurrent gate
        /// gradients <c>3H</c> each and the previous output <c>H</c> per step, plus the running step's
        /// recurrent gate gradients <c>[3H]</c> and <c>dh</c>.
        /// </summary>
        public static int ScratchSize(int steps, int input, int hidden) => 7 * steps * hidden + 4 * hidden;

        /// <summary>Floats of <c>scratch</c> per sample for <see cref="Step"/>: the input and the recurrent projections, <c>3H</c> each.</summary>
        public static int StepScratchSize(int hidden) => 6 * hidden;

        /// <summary>
        /// <c>y [B, T, H]</c> = the hidden state after every step of <c>x [B, T, I]</c>, starting from
        /// <c>h = 0</c>; fills <paramref name="saved"/> (<c>B ×</c> <see cref="SavedSize"/>) for <see cref="Backward"/>.
        /// </summary>
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh,
            ReadOnlySpan<float> bHh, Span<float> y, Span<float> saved, int batch, int steps, int input, int hidden)
        {
            Recurrent.CheckParameters(3, wIh.Length, wHh.Length, bIh.Length, bHh.Length, input, hidden, nameof(bIh), nameof(bHh));
            Recurrent.CheckSizes(batch, steps, input, hidden);
            long rows = (long)batch * steps;
            Recurrent.Require(x.Length, rows * input, nameof(x));
            Recurrent.Require(y.Length, rows * hidden, nameof(y));
            Recurrent.Require(saved.Length, (long)batch * SavedSize(steps, hidden), nameof(saved));
            if (batch == 0)
            {
                return;
            }
            int gateWidth = 3 * hidden, sequenceRows = batch * steps;
            Span<float> savedRest = saved;
            Span<float> gates = Recurrent.Take(ref savedRest, sequenceRows * gateWidth); // [B, T, 3H]
            Span<float> newGateRecurrent = Recurrent.Take(ref savedRest, sequenceRows * hidden); // [B, T, H]
            Span<float> recurrent = Recurrent.Take(ref savedRest, batch * gateWidth); // [B, 3H]
            Span<float> h = Recurrent.Take(ref savedRest, batch * hidden); // [B, H]

            // Every step's input projection at once: gates[B·T, 3H] = x[B·T, I]·W_ihᵀ + b_ih.
            Dense.Forward(x, wIh, bIh, gates, sequenceRows, input, gateWidth);
            fixed (float* pGates = gates, pNew = newGateRecurrent, pRecurrent = recurrent, pH = h, pY = y, pWHh = wHh, pBHh = bHh)
            {
                var job = new SequenceJob
                {
                    Gates = pGates,
                    NewGateRecurrent = pNew,
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
        /// Overwrites (never accumulates) <c>dW_ih [3H, I]</c>, <c>dW_hh [3H, H]</c>, <c>db_ih</c>, <c>db_hh [3H]</c>
        /// and, unless it is empty, <c>dx [B, T, I]</c>. <paramref name="scratch"/>: <c>B ×</c> <see cref="ScratchSize"/>.
        /// </summary>
        public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> y,
            ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx, Span<float> dWIh, Span<float> dWHh, Span<float> dBIh,
            Span<float> dBHh, Span<float> scratch, int batch, int steps, int input, int hidden)
        {
            Recurrent.CheckParameters(3, wIh.Length, wHh.Length, dBIh.Length, dBHh.Length, input, hidden, nameof(dBIh), nameof(dBHh));
            Recurrent.CheckSizes(batch, steps, input, hidden);
            int gateWidth = 3 * hidden;
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
            ReadOnlySpan<float> gates = Recurrent.Take(ref savedRest, sequenceRows * gateWidth); // [B, T, 3H]
            ReadOnlySpan<float> newGateRecurrent = Recurrent.Take(ref savedRest, sequenceRows * hidden); // [B, T, H]
            Span<float> scratchRest = scratch;
            Span<float> dInput = Recurrent.Take(ref scratchRest, sequenceRows * gateWidth); // [B, T, 3H] ∂L/∂(W_ih x + b_ih)
            Span<float> dRecurrent = Recurrent.Take(ref scratchRest, sequenceRows * gateWidth); // [B, T, 3H] ∂L/∂(W_hh h + b_hh)
            Span<float> hPrev = Recurrent.Take(ref scratchRest, sequenceRows * hidden); // [B, T, H]
            Span<float> dStep = Recurrent.Take(ref scratchRest, batch * gateWidth); // [B, 3H]
            Span<float> dh = Recurrent.Take(ref scratchRest, batch * hidden); // [B, H]

            Recurrent.ShiftOneStep(y, hPrev, batch, steps, hidden);
            fixed (float* pGates = gates, pNew = newGateRecurrent, pHPrev = hPrev, pDy = dy, pDInput = dInput, pDRecurrent = dRecurrent,
                pDStep = dStep, pDh = dh, pWHh = wHh)
            {
                var job = new GradientJob
                {
                    Gates = pGates,
                    NewGateRecurrent = pNew,
                    HPrev = pHPrev,
                    Dy = pDy,
                    DInput = pDInput,
                    DRecurrent = pDRecurrent,
                    DStep = pDStep,
                    Dh = pDh,
                    WHh = pWHh,
                    Batch = batch,
                    Steps = steps,
                    Hidden = hidden,
                };
                Recurrent.RunBlocks(batch, 2L * sequenceRows * gateWidth * hidden, &BackwardBlock, &job);
            }
            // After the loop, one product each over all B·T rows.
            Dense.BackwardParameters(dInput, x, dWIh, dBIh, sequenceRows, input, gateWidth);
            Dense.BackwardParameters(dRecurrent, hPrev, dWHh, dBHh, sequenceRows, hidden, gateWidth);
            if (!dx.IsEmpty)
            {
                Dense.BackwardInput(dInput, wIh, dx, sequenceRows, input, gateWidth);
            }
        }

        /// <summary>
        /// One step of inference (generation): <c>x [B, I]</c> moves the carried state <c>h [B, H]</c>
        /// forward in place, with the same arithmetic as a step of <see cref="Forward"/>.
        /// <paramref name="scratch"/>: <c>B ×</c> <see cref="StepScratchSize"/>.
        /// </summary>
        public static void Step(ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh,
            ReadOnlySpan<float> bHh, Span<float> h, Span<float> scratch, int batch, int input, int hidden)
        {
            Recurrent.CheckParameters(3, wIh.Length, wHh.Length, bIh.Length, bHh.Length, input, hidden, nameof(bIh), nameof(bHh));
            Recurrent.CheckSizes(batch, 1, input, hidden);
            Recurrent.Require(x.Length, (long)batch * input, nameof(x));
            Recurrent.Require(h.Length, (long)batch * hidden, nameof(h));
            Recurrent.Require(scratch.Length, (long)batch * StepScratchSize(hidden), nameof(scratch));
            if (batch == 0)
            {
                return;
            }
            int gateWidth = 3 * hidden;
            Span<float> scratchRest = scratch;
            Span<float> gates = Recurrent.Take(ref scratchRest, batch * gateWidth); // [B, 3H]
            Span<float> recurrent = Recurrent.Take(ref scratchRest, batch * gateWidth); // [B, 3H]
            Dense.Forward(x, wIh, bIh, gates, batch, input, gateWidth);
            fixed (float* pGates = gates, pRecurrent = recurrent, pH = h, pWHh = wHh, pBHh = bHh)
            {
                // One step of a sequence job whose state is carried in.
                var job = new SequenceJob
                {
                    Gates = pGates,
                    NewGateRecurrent = null,
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
        /// One row's step: <c>gates</c> holds <c>W_ih x + b_ih</c> and becomes the activated r, z, n;
        /// <c>recurrent</c> holds <c>W_hh h + b_hh</c> (read only); its n part is copied to
        /// <paramref name="newGateRecurrent"/> unless that is empty. <c>h = n + z⊙(hPrev − n)</c>
        /// (<paramref name="hPrev"/> empty: zero; it may be <paramref name="h"/> itself).
        /// </summary>
        internal static void CellForward(Span<float> gates, Span<float> recurrent, ReadOnlySpan<float> hPrev, Span<float> h,
            Span<float> newGateRecurrent)
        {
            fixed (float* pGates = gates, pRecurrent = recurrent, pHPrev = hPrev, pH = h, pNew = newGateRecurrent)
            {
                GruCell.Forward(pGates, pRecurrent, hPrev.IsEmpty ? null : pHPrev, pH, newGateRecurrent.IsEmpty ? null : pNew, h.Length);
            }
        }

        /// <summary>
        /// One row's step backward. In: the activated <paramref name="gates"/>, <c>W_hn h + b_hn</c>, the
        /// previous output (empty: zero), <c>dy</c>, and <paramref name="dh"/> = what flows back from step t+1,
        /// replaced by its direct part for step t−1, <c>dh⊙z</c>. Out: the gradients of the input projection
        /// (<paramref name="dInput"/>) and of the recurrent one (<paramref name="dRecurrent"/> and its copy <paramref name="dRecurrentSaved"/>).
        /// </summary>
        internal static void CellBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> newGateRecurrent, ReadOnlySpan<float> hPrev,
            ReadOnlySpan<float> dy, Span<float> dh, Span<float> dInput, Span<float> dRecurrent, Span<float> dRecurrentSaved)
        {
            int hidden = dh.Length;
            ReadOnlySpan<float> r = gates.Slice(0, hidden), z = gates.Slice(hidden, hidden), n = gates.Slice(2 * hidden, hidden);
            Span<float> dr = dInput.Slice(0, hidden), dz = dInput.Slice(hidden, hidden), dn = dInput.Slice(2 * hidden, hidden);
            Span<float> dnRecurrent = dRecurrent.Slice(2 * hidden, hidden);

            TensorPrimitives.Add(dy, dh, dh);                 // ∂L/∂h_t
            TensorPrimitives.Multiply(dh, z, dnRecurrent);    // dh⊙z, the direct path to h_{t−1}, parked here
            TensorPrimitives.Subtract(dh, dnRecurrent, dn);
            Activations.TanhBackward(n, dn);                  // dn = dh⊙(1−z)⊙(1−n²)
            if (hPrev.IsEmpty)
            {
                TensorPrimitives.Negate(n, dz);
            }
            else
            {
                TensorPrimitives.Subtract(hPrev, n, dz);
            }
            TensorPrimitives.Multiply(dz, dh, dz);
            Activations.SigmoidBackward(z, dz);               // dz = dh⊙(h_{t−1} − n)⊙z(1−z)
            dnRecurrent.CopyTo(dh);
            TensorPrimitives.Multiply(dn, newGateRecurrent, dr);
            Activations.SigmoidBackward(r, dr);               // dr = dn⊙(W_hn h + b_hn)⊙r(1−r)
            TensorPrimitives.Multiply(dn, r, dnRecurrent);    // r scales the recurrent part of n only
            dInput.Slice(0, 2 * hidden).CopyTo(dRecurrent);
            dRecurrent.CopyTo(dRecurrentSaved);
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
            int hidden = job.Hidden, gateWidth = 3 * hidden, steps = job.Steps;
            for (int t = 0; t < steps; t++)
            {
                bool zeroState = t == 0 && !job.Carried;
                Recurrent.Project(job.H + (nint)first * hidden, job.WHh, job.WHhTransposed, job.BHh, job.Recurrent + (nint)first * gateWidth, count, hidden, gateWidth, zeroState);
                for (int b = first; b < first + count; b++)
                {
                    nint row = (nint)b * steps + t;
                    var h = new Span<float>(job.H + (nint)b * hidden, hidden);
                    CellForward(
                        new Span<float>(job.Gates + row * gateWidth, gateWidth),
                        new Span<float>(job.Recurrent + (nint)b * gateWidth, gateWidth),
                        zeroState ? ReadOnlySpan<float>.Empty : h,
                        h,
                        job.NewGateRecurrent is null ? Span<float>.Empty : new Span<float>(job.NewGateRecurrent + row * hidden, hidden));
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

        /// <summary>Rows <c>[first, first + count)</c> back through every step: each row's gate gradients, then <c>dh_{t−1} = dh⊙z + dRecurrent_t·W_hh</c>.</summary>
        private static void BackwardRows(ref GradientJob job, int first, int count)
        {
            int hidden = job.Hidden, gateWidth = 3 * hidden, steps = job.Steps;
            float* dh = job.Dh + (nint)first * hidden;
            new Span<float>(dh, count * hidden).Clear(); // nothing flows back into the last step but dy
            for (int t = steps - 1; t >= 0; t--)
            {
                for (int b = first; b < first + count; b++)
                {
                    nint row = (nint)b * steps + t;
                    CellBackward(
                        new ReadOnlySpan<float>(job.Gates + row * gateWidth, gateWidth),
                        new ReadOnlySpan<float>(job.NewGateRecurrent + row * hidden, hidden),
                        t > 0 ? new ReadOnlySpan<float>(job.HPrev + row * hidden, hidden) : ReadOnlySpan<float>.Empty,
                        new ReadOnlySpan<float>(job.Dy + row * hidden, hidden),
                        new Span<float>(job.Dh + (nint)b * hidden, hidden),
                        new Span<float>(job.DInput + row * gateWidth, gateWidth),
                        new Span<float>(job.DStep + (nint)b * gateWidth, gateWidth),
                        new Span<float>(job.DRecurrent + row * gateWidth, gateWidth));
                }
                if (t > 0)
                {
                    Recurrent.ProjectBack(job.DStep + (nint)first * gateWidth, job.WHh, dh, count, hidden, gateWidth, accumulate: true);
                }
            }
        }

        /// <summary>
        /// A forward pass over a batch: <c>Gates [B, T, 3H]</c> (in: <c>W_ih x + b_ih</c>), <c>NewGateRecurrent [B, T, H]</c>
        /// (or null), <c>Y [B, T, H]</c> (or null), and the running step's <c>Recurrent [B, 3H]</c> and <c>H [B, H]</c>.
        /// <c>Carried</c>: <c>H</c> holds the previous state (a <see cref="Step"/>) rather than zero.
        /// </summary>
        private struct SequenceJob
        {
            public float* Gates, NewGateRecurrent, Recurrent, H, Y, WHh, WHhTransposed, BHh;
            public int Batch, Steps, Hidden;
            public bool Carried;
        }

        /// <summary>
        /// A backward pass: the saved <c>Gates</c>, <c>NewGateRecurrent</c>; <c>HPrev</c>, <c>Dy</c>, <c>DInput</c>,
        /// <c>DRecurrent</c> (all <c>[B, T, …]</c>); the running step's <c>DStep [B, 3H]</c> and <c>Dh [B, H]</c>.
        /// </summary>
        private struct GradientJob
        {
            public float* Gates, NewGateRecurrent, HPrev, Dy, DInput, DRecurrent, DStep, Dh, WHh;
            public int Batch, Steps, Hidden;
        }
    }
}
