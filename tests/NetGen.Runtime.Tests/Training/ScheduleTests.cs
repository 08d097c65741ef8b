using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace NetGen.Runtime.Tests.Training
{
    /// <summary>Schedules and clipping against tests/fixtures/training_*.json (make_training_fixtures.py, PyTorch 1.13).</summary>
    public class ScheduleTests
    {
        private static JsonElement Fixture(string name) =>
            JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", name))).RootElement;

        private static LearningRateSchedule Make(string name, JsonElement p) => name switch
        {
            "step" => LearningRateSchedule.Step(p.GetProperty("step_size").GetInt32(), p.GetProperty("gamma").GetDouble()),
            "multistep" => LearningRateSchedule.MultiStep(p.GetProperty("milestones").EnumerateArray().Select(m => m.GetInt32()).ToArray(), p.GetProperty("gamma").GetDouble()),
            "exponential" => LearningRateSchedule.Exponential(p.GetProperty("gamma").GetDouble()),
            "cosine" => LearningRateSchedule.Cosine(p.GetProperty("t_max").GetInt32(), p.GetProperty("eta_min").GetDouble()),
            "linear" => LearningRateSchedule.Linear(p.GetProperty("start_factor").GetDouble(), p.GetProperty("end_factor").GetDouble(), p.GetProperty("total_iters").GetInt32()),
            "warmup_cosine" => LearningRateSchedule.Warmup(p.GetProperty("warmup").GetInt32(),
                LearningRateSchedule.Cosine(p.GetProperty("t_max").GetInt32()), p.GetProperty("start_factor").GetDouble()),
            _ => throw new ArgumentException(name),
        };

        public static TheoryData<string> Cases() => new(Fixture("training_schedules.json").GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!));

        [Theory]
        [MemberData(nameof(Cases))]
        public void Schedules_give_the_rates_pytorch_prints(string name)
        {
            JsonElement root = Fixture("training_schedules.json");
            double initial = root.GetProperty("base_lr").GetDouble();
            JsonElement c = root.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
            LearningRateSchedule schedule = Make(name, c.GetProperty("params"));
            double[] expected = c.GetProperty("lr").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            for (int t = 0; t < expected.Length; t++)
            {
                double actual = schedule.LearningRate(t, initial);
                Assert.True(Math.Abs(actual - expected[t]) <= 1e-9 + 1e-6 * Math.Abs(expected[t]),
                    $"{name} at step {t}: PyTorch {expected[t]:R}, NetGen {actual:R}");
            }
        }

        [Fact]
        public void Per_changes_the_interval_and_keeps_the_rates()
        {
            LearningRateSchedule perStep = LearningRateSchedule.Cosine(10).Per(ScheduleInterval.Step);
            Assert.Equal(ScheduleInterval.Step, perStep.Interval);
            Assert.Equal(LearningRateSchedule.Cosine(10).LearningRate(3, 1), perStep.LearningRate(3, 1));
            Assert.Equal(ScheduleInterval.Epoch, LearningRateSchedule.Cosine(10).Interval);
        }

        [Fact]
        public void Clipping_matches_clip_grad_norm()
        {
            foreach (JsonElement c in Fixture("training_clipping.json").GetProperty("cases").EnumerateArray())
            {
                float[] gradients = c.GetProperty("gradients").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                float[] expected = c.GetProperty("clipped").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                float norm = GradientClipping.ClipByGlobalNorm(gradients, c.GetProperty("max_norm").GetSingle());
                Assert.Equal(c.GetProperty("total_norm").GetSingle(), norm, 5);
                for (int i = 0; i < expected.Length; i++)
                {
                    Assert.True(Math.Abs(expected[i] - gradients[i]) <= 1e-6f * Math.Max(1, Math.Abs(expected[i])), $"gradient {i}: {expected[i]} vs {gradients[i]}");
                }
            }
            Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new float[2], 0));
        }
    }
}
