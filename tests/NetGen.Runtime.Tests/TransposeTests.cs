using NetGen.Kernels;

namespace NetGen.Runtime.Tests
{
    public class TransposeTests
    {
        /// <summary>
        /// Whole 8×8 blocks, ragged edges on either side and both, single rows and columns, strides wider than the rows: every
        /// element lands at its transposed place (scaled, when asked), and the padding between target rows is left as it was.
        /// </summary>
        [Theory]
        [InlineData(1, 1)]
        [InlineData(1, 13)]
        [InlineData(13, 1)]
        [InlineData(8, 8)]
        [InlineData(16, 24)]
        [InlineData(17, 9)]
        [InlineData(7, 31)]
        [InlineData(512, 128)]
        [InlineData(45, 66)]
        public unsafe void Every_element_lands_at_its_transposed_place(int rows, int columns)
        {
            int sourceStride = columns + 3, targetStride = rows + 5;
            var rng = new Rng(rows * 1000 + columns);
            float[] source = GemmTests.Random(rows * sourceStride, rng);
            float[] target = new float[columns * targetStride];
            System.Array.Fill(target, float.NaN);
            float[] scaled = (float[])target.Clone();
            fixed (float* s = source, t = target, u = scaled)
            {
                Transpose.Copy(s, rows, columns, sourceStride, t, targetStride);
                Transpose.Copy(s, rows, columns, sourceStride, u, targetStride, 0.25f);
            }
            for (int c = 0; c < columns; c++)
            {
                for (int r = 0; r < targetStride; r++)
                {
                    float actual = target[c * targetStride + r];
                    if (r < rows)
                    {
                        Assert.True(actual == source[r * sourceStride + c], $"target[{c}, {r}] = {actual}, expected source[{r}, {c}] = {source[r * sourceStride + c]}");
                        Assert.True(scaled[c * targetStride + r] == source[r * sourceStride + c] * 0.25f, $"scaled target[{c}, {r}] = {scaled[c * targetStride + r]}");
                    }
                    else
                    {
                        Assert.True(float.IsNaN(actual) && float.IsNaN(scaled[c * targetStride + r]), $"target[{c}, {r}] (padding) was written: {actual}");
                    }
                }
            }
        }
    }
}
