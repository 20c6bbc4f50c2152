using System.Diagnostics;

namespace Kvm.Qmp.Tests.Support;

/// <summary>Runs an external program with stdin text and a time limit; ignores the test when the tool is missing.</summary>
internal static class ExternalTool
{
    public static void Require(string path, string debianPackage)
    {
        if (!File.Exists(path))
        {
            Assert.Ignore($"{path} not installed (Debian package {debianPackage})");
        }
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string path, IEnumerable<string> args, string? stdin, TimeSpan limit)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail($"{path} did not finish within {limit}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
