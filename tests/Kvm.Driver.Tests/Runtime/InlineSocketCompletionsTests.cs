using System.Diagnostics;
using Kvm.Driver.Runtime;
using Kvm.Driver.Tests.Api;
using NUnit.Framework;

namespace Kvm.Driver.Tests.Runtime;

/// <summary>
/// kvmd's sockets complete on .NET's socket event threads (one per processor once inline completions are on, one in
/// all below 30 processors otherwise), and the switch does not leak into the environment its children inherit.
/// </summary>
[NonParallelizable] // changes this process's environment
public sealed class InlineSocketCompletionsTests
{
    [Test]
    [Category("DBusDaemon")]
    [CancelAfter(60_000)]
    public async Task Kvmd_Serving_OneSocketEventThreadPerProcessor()
    {
        if (Environment.ProcessorCount < 2)
        {
            Assert.Ignore("one processor: one event thread either way");
        }
        using var bus = PrivateBus.Start();
        string directory = Directory.CreateTempSubdirectory("kvmd-inline-").FullName;
        using Process kvmd = await BusDaemonProcess.StartAsync(Executable.Kvmd.Path, bus.Address, TimeSpan.FromSeconds(30),
            ["--session", "--no-rpc", "--state-dir", Path.Combine(directory, "state"), "--runtime-dir", Path.Combine(directory, "run")]);
        try
        {
            int eventThreads = Directory.GetDirectories($"/proc/{kvmd.Id}/task")
                .Count(task => File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == ".NET Sockets");
            Assert.That(eventThreads, Is.EqualTo(Environment.ProcessorCount));
        }
        finally
        {
            kvmd.Kill();
            await kvmd.WaitForExitAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void Enable_VariableUnset_NotLeftForChildren()
    {
        string? before = Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable);
        Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, null);
        try
        {
            Assert.That(InlineSocketCompletions.Enable(), Is.True);
            Assert.That(Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable), Is.Null);
        }
        finally
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, before);
        }
    }

    [TestCase("0")]
    [TestCase("1")]
    public void Enable_VariableSet_LeftAsItIs(string value)
    {
        string? before = Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable);
        Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, value);
        try
        {
            Assert.That(InlineSocketCompletions.Enable(), Is.False);
            Assert.That(Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable), Is.EqualTo(value));
        }
        finally
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, before);
        }
    }
}
