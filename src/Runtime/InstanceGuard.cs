using System;

namespace NetGen
{
    /// <summary>
    /// What generated networks throw when an instance is entered while a call on it is running: a
    /// network owns the workspace its passes write, so two calls at once would overwrite each other's
    /// numbers. Generated code claims the instance with one compare-and-exchange per call.
    /// </summary>
    public static class InstanceGuard
    {
        /// <summary>The exception for <paramref name="member"/> of <paramref name="network"/> entered during another call.</summary>
        public static InvalidOperationException ConcurrentUse(string network, string member) =>
            new($"{network}.{member} was called while another call on the same {network} instance was running (from another thread, " +
                "or from code running inside that call). A network instance serves one call at a time: it owns the buffers its passes write. " +
                $"For concurrent inference use one instance per thread: CreateInferenceCopy() gives instances that share this one's parameters, " +
                "and NetGen.InferencePool keeps a bounded pool of them; or serialize the calls with a lock.");

        /// <summary>The exception for training (<paramref name="member"/>) an instance of <paramref name="network"/> whose parameters inference copies share.</summary>
        public static InvalidOperationException SharedParameters(string network, string member) =>
            new($"{network}.{member} was refused: this instance's parameters are shared with inference copies (CreateInferenceCopy, InferencePool), " +
                "which read them concurrently, so they are read-only and the instance serves inference only (Forward, ComputeLoss, Step). " +
                $"To train, use an instance that shares nothing: a new {network}(seed) or {network}.Load(path), then make new copies from it.");
    }
}
