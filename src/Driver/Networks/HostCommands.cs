using System.Diagnostics;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Networks;

/// <summary>
/// Runs the host's network tools (ip, nft, dnsmasq) and returns their output; a failure is libvirt's "Cannot ..."
/// system error with the tool's own message. An optional prefix runs each one elsewhere, such as
/// <c>ip netns exec NAME</c> for a network namespace a test made.
/// </summary>
public sealed class HostCommands
{
    private static readonly string[] s_searchPath = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];
    private readonly string[] _prefix;

    public HostCommands(params string[] prefix) => _prefix = prefix;

    public static HostCommands Host { get; } = new();

    /// <summary>The full path of a tool, or null when it is not installed.</summary>
    public static string? Find(string tool) =>
        s_searchPath.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    public static string Require(string tool, string package) =>
        Find(tool) ?? throw DomainErrors.ConfigUnsupported($"'{tool}' is not installed (Debian package {package}), networks need it");

    /// <summary>Runs the tool; non-zero exit throws with <paramref name="what"/> and the tool's message.</summary>
    public string Run(string what, string program, params string[] args)
    {
        (int exit, string stdout, string stderr) = TryRun(program, args);
        if (exit != 0)
        {
            string reason = (stderr.Length > 0 ? stderr : stdout).Trim();
            throw new DomainOperationException(VirErrorCode.SystemError, $"{what}: {reason}");
        }
        return stdout;
    }

    public (int Exit, string Stdout, string Stderr) TryRun(string program, params string[] args)
    {
        var start = new ProcessStartInfo(_prefix.Length > 0 ? _prefix[0] : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in _prefix.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }
        if (_prefix.Length > 0)
        {
            start.ArgumentList.Add(program);
        }
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start) ?? throw new DomainOperationException(VirErrorCode.SystemError, $"Cannot run {program}");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new DomainOperationException(VirErrorCode.SystemError, $"{program} did not finish within 30 s");
        }
        // A daemon (dnsmasq) may hand its pipes to the child it leaves running: wait a little for the end of its output, not for ever.
        Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(5));
        return (process.ExitCode, stdout.IsCompletedSuccessfully ? stdout.Result : "", stderr.IsCompletedSuccessfully ? stderr.Result : "");
    }
}
