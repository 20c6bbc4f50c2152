using NUnit.Framework;
using System.Diagnostics;
using System.Security.Cryptography;

namespace Kvm.Vmm.Tests.Block;

/// <summary>Runs Debian's qemu-img and qemu-io (qemu-utils) for the block tests, and gives each test a scratch directory on a real file system.</summary>
public static class QemuTools
{
    public const string QemuImg = "/usr/bin/qemu-img";
    public const string QemuIo = "/usr/bin/qemu-io";

    /// <summary>Ignores the calling test when qemu-utils is missing.</summary>
    public static void Require()
    {
        if (!File.Exists(QemuImg) || !File.Exists(QemuIo))
        {
            Assert.Ignore("qemu-img/qemu-io not found: apt-get install qemu-utils");
        }
    }

    /// <summary>A fresh directory under /var/tmp (not tmpfs, so O_DIRECT works).</summary>
    public static string ScratchDirectory(string name)
    {
        string dir = Path.Combine("/var/tmp", $"kvm-block-tests-{Environment.ProcessId}", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void DeleteScratch(string dir)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        // The per-process parent goes with its last scratch directory.
        string? parent = Path.GetDirectoryName(dir);
        try
        {
            if (parent is not null && !Directory.EnumerateFileSystemEntries(parent).Any())
            {
                Directory.Delete(parent);
            }
        }
        catch (IOException)
        {
            // Another test made a scratch directory in it meanwhile, or removed it first.
        }
    }

    public static Result Img(params string[] args) => Run(QemuImg, args);

    public static Result Io(params string[] args) => Run(QemuIo, args);

    /// <summary>Runs qemu-img and fails the test unless it exits 0.</summary>
    public static string ImgOk(params string[] args)
    {
        var result = Img(args);
        Assert.That(result.ExitCode, Is.EqualTo(0), $"qemu-img {string.Join(' ', args)}: {result.Stdout}{result.Stderr}");
        return result.Stdout;
    }

    /// <summary>Runs qemu-io (-f FORMAT) and fails the test unless it exits 0 and reports no error.</summary>
    public static void IoOk(string format, string image, params string[] commands)
    {
        var args = new List<string> { "-f", format };
        foreach (string c in commands)
        {
            args.Add("-c");
            args.Add(c);
        }

        args.Add(image);
        var result = Io([.. args]);
        Assert.That(result.ExitCode == 0 && !result.Stdout.Contains("error", StringComparison.OrdinalIgnoreCase), Is.True,
            $"qemu-io {string.Join(' ', args)}: {result.Stdout}{result.Stderr}");
    }

    public static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    public static Result Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not exit within 120 s");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr);
}
