using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Kvm.Driver.Domains;

namespace Kvm.Driver.Pools;

/// <summary>qcow2 volumes: created, resized and copied with Debian's <c>qemu-img</c>, recognised by their header (QEMU's qcow2 spec).</summary>
internal static class Qcow2Image
{
    private const string QemuImg = "/usr/bin/qemu-img";
    private const uint Magic = 0x514649fb;     // "QFI\xfb", header offset 0
    private const int SizeOffset = 24;         // virtual size, big-endian u64

    /// <summary>Writes an empty qcow2 image of <paramref name="capacity"/> bytes over the (empty) file at <paramref name="path"/>.</summary>
    public static void Create(string path, ulong capacity) =>
        Run("create", path, ["create", "-q", "-f", "qcow2", path, capacity.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>Sets the image's virtual size (qemu-img resize; <c>--shrink</c> when it gets smaller, as libvirt passes it).</summary>
    public static void Resize(string path, ulong capacity, bool shrink) =>
        Run("resize", path, shrink
            ? ["resize", "-q", "-f", "qcow2", "--shrink", path, capacity.ToString(CultureInfo.InvariantCulture)]
            : ["resize", "-q", "-f", "qcow2", path, capacity.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>Copies an image's content into another file, converting its format (qemu-img convert, as libvirt clones).</summary>
    public static void Convert(string source, string sourceFormat, string target, string targetFormat) =>
        Run("convert", target, ["convert", "-q", "-f", sourceFormat, "-O", targetFormat, source, target]);

    private static void Run(string verb, string path, string[] args)
    {
        if (!File.Exists(QemuImg))
        {
            throw DomainErrors.ConfigUnsupported($"qcow2 volumes need {QemuImg} (Debian package qemu-utils)");
        }
        var start = new ProcessStartInfo(QemuImg) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start) ?? throw StorageErrors.Failed($"{QemuImg} did not start");
        _ = process.StandardOutput.ReadToEndAsync(); // -q: nothing comes, but the pipe is drained
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw StorageErrors.Failed($"qemu-img {verb} of '{path}' failed: {error.Trim()}");
        }
    }

    /// <summary>The image's virtual size when the file is a qcow2 image, else null.</summary>
    public static ulong? VirtualSize(string path)
    {
        Span<byte> header = stackalloc byte[SizeOffset + 8];
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            {
                return null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return BinaryPrimitives.ReadUInt32BigEndian(header) == Magic ? BinaryPrimitives.ReadUInt64BigEndian(header[SizeOffset..]) : null;
    }
}
