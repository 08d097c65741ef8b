using System;
using System.Diagnostics.CodeAnalysis;

namespace NetGen
{
    /// <summary><c>model.Save(path)</c>, <c>model.LoadWeights(path)</c> and <c>MyNetwork.Load(path)</c> for every generated network.</summary>
    public static class CheckpointExtensions
    {
        /// <summary>Saves the network (and optionally optimizer and training state) as safetensors, atomically. See <see cref="Checkpoint"/>.</summary>
        public static void Save(this INetwork network, string path, Optimizer? optimizer = null, TrainingState? training = null) =>
            Checkpoint.Save(network, path, optimizer, training);

        /// <summary>Loads parameters (and optionally optimizer state) from a safetensors file into this network. See <see cref="Checkpoint"/>.</summary>
        public static CheckpointInfo LoadWeights(this INetwork network, string path, Optimizer? optimizer = null) =>
            Checkpoint.Load(network, path, optimizer);

        /// <summary>Static members for every network type.</summary>
        extension<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TNetwork>(TNetwork)
            where TNetwork : class, INetwork
        {
            /// <summary>
            /// A new network of this type with the parameters in <paramref name="path"/>:
            /// <c>var model = FashionMlp.Load("fashion.safetensors");</c>
            /// </summary>
            public static TNetwork Load(string path)
            {
                // Generated networks have a public constructor taking the seed; the weights are overwritten.
                var network = (TNetwork)Activator.CreateInstance(typeof(TNetwork), [0])!;
                Checkpoint.Load(network, path);
                return network;
            }
        }
    }
}
