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
                $"For concurrent inference use one instance per thread, each loaded with the same parameters " +
                $"(e.g. copy Parameters and Buffers from this instance into a new {network}() or Load the same checkpoint), or serialize the calls with a lock.");
    }
}
