using System;
using System.Numerics.Tensors;

namespace NetGen.Kernels
{
    /// <summary>
    /// A lookup table <c>table[vocabulary, dims]</c> (torch.nn.Embedding's <c>weight</c>): each token id
    /// selects one row. The ids are validated by the caller (the data reader), so both passes only copy
    /// and add rows; the backward pass adds them in the order of the ids, so repeated ids give the same
    /// sums on any number of threads.
    /// </summary>
    public static class Embedding
    {
        /// <summary><c>y[n, :] = table[ids[n], :]</c> for <c>n</c> in <c>[0, count)</c>; ids already lie in <c>[0, vocabulary)</c>.</summary>
        public static void Forward(ReadOnlySpan<int> ids, ReadOnlySpan<float> table, Span<float> y, int count, int dims)
        {
            Check(ids.Length, count, y.Length, dims, nameof(y));
            for (int n = 0; n < count; n++)
            {
                table.Slice(ids[n] * dims, dims).CopyTo(y.Slice(n * dims, dims));
            }
        }

        /// <summary>
        /// <c>dTable[vocabulary, dims]</c>, overwritten: zero, then <c>dTable[ids[n], :] += dy[n, :]</c> for
        /// <c>n</c> = 0, 1, … in order. Row <paramref name="paddingIndex"/> stays zero (torch's
        /// <c>padding_idx</c>: that token never learns); a negative index means no padding row.
        /// </summary>
        public static void Backward(ReadOnlySpan<int> ids, ReadOnlySpan<float> dy, Span<float> dTable, int count, int vocabulary, int dims,
            int paddingIndex)
        {
            Check(ids.Length, count, dy.Length, dims, nameof(dy));
            if (dTable.Length < (long)vocabulary * dims)
            {
                throw new ArgumentException($"The table gradient has {dTable.Length} values; [{vocabulary}, {dims}] needs {(long)vocabulary * dims}.", nameof(dTable));
            }
            dTable.Slice(0, vocabulary * dims).Clear();
            for (int n = 0; n < count; n++)
            {
                int id = ids[n];
                if (id == paddingIndex)
                {
                    continue;
                }
                Span<float> row = dTable.Slice(id * dims, dims);
                TensorPrimitives.Add(row, dy.Slice(n * dims, dims), row);
            }
        }

        private static void Check(int idCount, int count, int rowsLength, int dims, string rowsName)
        {
            if (count < 0 || dims < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(count), $"Sizes must not be negative: count={count}, dims={dims}.");
            }
            if (idCount < count)
            {
                throw new ArgumentException($"There are {idCount} ids; {count} are needed.", "ids");
            }
            if (rowsLength < (long)count * dims)
            {
                throw new ArgumentException($"{rowsName} has {rowsLength} values; [{count}, {dims}] needs {(long)count * dims}.", rowsName);
            }
        }
    }
}
