using System.Net.Sockets;
using NLog;
using Polly;
using Polly.Retry;

namespace Kvm.Qmp.Client;

/// <summary>The resilience pipelines of the QMP edge (style: built once, named, in one place).</summary>
public static class QmpResiliencePipelines
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    /// <summary>
    /// Waiting for a monitor socket to appear: retry connection refused / missing socket with exponential
    /// backoff and jitter, inside an overall time limit.
    /// </summary>
    public static ResiliencePipeline CreateConnect(TimeSpan timeLimit) =>
        new ResiliencePipelineBuilder { Name = "qmp-connect" }
            .AddTimeout(timeLimit)
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<SocketException>(),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(20),
                MaxDelay = TimeSpan.FromMilliseconds(500),
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    s_log.Warn("QMP monitor not reachable yet (attempt {Attempt}): {Error}", args.AttemptNumber, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
}
