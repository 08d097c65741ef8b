using System;

namespace NetGen
{
    /// <summary>
    /// <c>model.Save(path)</c> and <c>model.LoadWeights(path)</c> for every network. (Each generated network
    /// also has <c>static Load(path)</c>, which creates one and loads it.)
    /// </summary>
    public static class CheckpointExtensions
    {
        /// <summary>Saves the network (and optionally optimizer and training state) as safetensors, atomically. See <see cref="Checkpoint"/>.</summary>
        public static void Save(this INetwork network, string path, Optimizer? optimizer = null, TrainingState? training = null) =>
            Checkpoint.Save(network, path, optimizer, training);

        /// <summary>Loads parameters (and optionally optimizer state) from a safetensors file into this network. See <see cref="Checkpoint"/>.</summary>
        public static CheckpointInfo LoadWeights(this INetwork network, string path, Optimizer? optimizer = null) =>
            Checkpoint.Load(network, path, optimizer);
    }
}
