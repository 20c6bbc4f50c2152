using System.Diagnostics;

namespace Kvm.Driver.Tests;

/// <summary>Runs one of the project's built executables as a user would, capturing its output.</summary>
public sealed record Executable(string Path)
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>artifacts/bin/PROJECT/CONFIG/NAME, in the configuration the tests themselves were built in.</summary>
    public static Executable Of(string project, string name)
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Name;
        return new Executable(System.IO.Path.Combine(RepositoryRoot, "artifacts", "bin", project, configuration, name));
    }

    public static Executable Kvmctl => Of("Kvm.Kvmctl", "kvmctl");

    /// <summary>kvmd: <c>KVM_KVMD</c> when set (the NativeAOT build, in .ci/run's Kvm runs), else the JIT build.</summary>
    public static Executable Kvmd => new(Environment.GetEnvironmentVariable("KVM_KVMD") is { Length: > 0 } path ? path : Of("Kvm.Kvmd", "kvmd").Path);

    /// <summary>kvm-vmm: <c>KVM_VMM</c> when set (the NativeAOT build, in .ci/run's Kvm runs), else the JIT build.</summary>
    public static Executable KvmVmm => new(Kvm.Vmm.Tests.GuestImages.VmmPath(Of("Kvm.Vmm", "kvm-vmm").Path));

    public Result Run(string? stdin, params string[] args)
    {
        var info = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path} did not exit within 60 s");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Kvm.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Kvm.sln not found above " + AppContext.BaseDirectory);
    }
}
