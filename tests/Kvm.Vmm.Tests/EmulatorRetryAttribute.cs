using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Commands;

namespace Kvm.Vmm.Tests;

/// <summary>
/// Runs a real-KVM test up to twice more when it fails inside the emulated outer guest of tools/nested-kvm (which sets
/// KVM_NESTED_EMULATED=1). That guest's software-emulated SVM now and then stalls a nested guest for minutes or crashes
/// its own kernel (a recursive page fault in kvm-amd's run loop) whatever the VMM does, with QEMU as with kvm-vmm: a
/// guest's console stops in the middle of a line and never goes on. Seen in CI at about one boot in fifteen, so two
/// failures in a row of one test in a run of forty came up often enough to fail runs; three tries make that rare. A
/// failed attempt is never hidden: it goes to the progress output and, when KVM_RETRY_LOG names a file, into that
/// file, which CI prints. On a machine with its own /dev/kvm a test runs once.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class EmulatorRetryAttribute : NUnitAttribute, IRepeatTest
{
    private const int EmulatedTries = 3;

    /// <summary>True inside the nested-KVM harness's emulated guest.</summary>
    private static bool Emulated => Environment.GetEnvironmentVariable("KVM_NESTED_EMULATED") == "1";

    public TestCommand Wrap(TestCommand command) => new RetryCommand(command, Emulated ? EmulatedTries : 1);

    private sealed class RetryCommand(TestCommand inner, int tries) : DelegatingTestCommand(inner)
    {
        public override TestResult Execute(TestExecutionContext context)
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    context.CurrentResult = innerCommand.Execute(context);
                }
                catch (Exception e)
                {
                    // The test method's own exception (an assertion or anything else) comes through here unrecorded.
                    context.CurrentResult.RecordException(e);
                }

                var result = context.CurrentResult;
                if (result.ResultState.Status != TestStatus.Failed || attempt >= tries)
                {
                    return result;
                }

                Report(context.CurrentTest.FullName, attempt, result);
                context.CurrentResult = context.CurrentTest.MakeTestResult();
                context.CurrentRepeatCount++;
            }
        }

        private void Report(string test, int attempt, TestResult result)
        {
            string text = $"{DateTime.UtcNow:O} {test}: attempt {attempt} of {tries} failed in the emulated guest ({result.ResultState}); " +
                $"running it again\n{result.Message}\n{result.StackTrace}\n{result.Output}\n";
            TestContext.Progress.WriteLine(text);
            string? log = Environment.GetEnvironmentVariable("KVM_RETRY_LOG");
            if (!string.IsNullOrEmpty(log))
            {
                try
                {
                    File.AppendAllText(log, text + "\n");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    TestContext.Progress.WriteLine($"cannot append to {log}: {e.Message}");
                }
            }
        }
    }
}
