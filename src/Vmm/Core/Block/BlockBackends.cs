using Kvm.Vmm.Interop;
using NLog;

namespace Kvm.Vmm.Block;

/// <summary>Opens disk images (raw, qcow2) with their backing chains as <see cref="IBlockBackend"/>s.</summary>
public static class BlockBackends
{
    /// <summary>The longest backing chain followed; deeper chains are refused (QEMU has no limit, but loops and absurd depths are hostile).</summary>
    public const int MaxChainDepth = 64;

    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    /// <summary>
    /// Opens the image of <paramref name="options"/> and its backing chain (from <see cref="BlockOpenOptions.Backing"/>,
    /// or else from the qcow2 headers). Backing images are opened read-only. Throws <see cref="BlockException"/> naming
    /// the file and the problem.
    /// </summary>
    public static IBlockBackend Open(BlockOpenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var seen = new HashSet<(ulong, ulong)>();
        var backend = OpenImage(options.Path, options.Format, options, top: true, options.Backing, seen, depth: 0);
        s_log.Info("Opened {Format} image {Path} ({Size} bytes, {Mode})", options.Format, options.Path, backend.Size, backend.ReadOnly ? "read-only" : "read-write");
        return backend;
    }

    private static IBlockBackend OpenImage(string path, ImageFormat format, BlockOpenOptions options, bool top, IReadOnlyList<BackingImage>? chain, HashSet<(ulong, ulong)> seen, int depth)
    {
        if (depth > MaxChainDepth)
        {
            throw new BlockException($"The backing chain of {options.Path} is deeper than {MaxChainDepth} images at {path}");
        }

        bool writable = top && !options.ReadOnly;
        ImageFile file = OpenFile(path, writable, options.Direct);
        IBlockBackend? backing = null;
        try
        {
            if (!seen.Add((file.Status.Device, file.Status.Inode)))
            {
                throw new BlockException($"The backing chain of {options.Path} loops: {path} appears in it twice");
            }

            ImageLock.Acquire(file, writable, options.Shareable);
            if (format == ImageFormat.Raw)
            {
                return new RawBackend(file, !writable, options.DiscardUnmap, options.IgnoreFlush);
            }

            Qcow2Header header = ReadHeader(file);
            CheckWritable(header, path, writable);
            (string Path, ImageFormat Format)? next = NextInChain(header, path, chain);
            if (next is { } n)
            {
                IReadOnlyList<BackingImage>? rest = chain is null ? null : chain.Skip(1).ToArray();
                backing = OpenImage(n.Path, n.Format, options, top: false, rest, seen, depth + 1);
            }

            return new Qcow2Image(file, header, backing, options, !writable);
        }
        catch
        {
            backing?.Dispose();
            file.Dispose();
            throw;
        }
    }

    private static ImageFile OpenFile(string path, bool writable, bool direct)
    {
        int result = ImageFile.Open(path, writable, direct, out ImageFile? file);
        if (result == -FileIo.EInval && direct)
        {
            throw new BlockException($"Cannot open {path} with O_DIRECT: the file system does not support it (tmpfs?); use another cache mode");
        }

        if (result != 0)
        {
            throw new BlockException($"Cannot open {path}{(writable ? " for writing" : "")}: {Libc.ErrorText(-result)}");
        }

        if (!file!.Status.IsRegular && !file.Status.IsBlockDevice)
        {
            file.Dispose();
            throw new BlockException($"Cannot use {path} as a disk image: not a regular file or block device");
        }

        return file;
    }

    private static Qcow2Header ReadHeader(ImageFile file)
    {
        long length = file.Length();
        if (length < 0)
        {
            throw new BlockException($"Cannot get the size of {file.Path}");
        }

        // The header and its extensions live in the first cluster, at most 2 MiB.
        var first = new byte[(int)Math.Min(length, 2 << 20)];
        int result = file.Read(0, first);
        if (result != 0)
        {
            throw new BlockException($"Cannot read the header of {file.Path}: {Libc.ErrorText(-result)}");
        }

        return Qcow2Header.Parse(file.Path, first, (ulong)length);
    }

    private static void CheckWritable(Qcow2Header header, string path, bool writable)
    {
        if (!writable)
        {
            return;
        }

        if ((header.Incompatible & Qcow2Header.IncompatCorrupt) != 0)
        {
            throw new BlockException($"Cannot open {path} for writing: the image is marked corrupt (qemu-img check -r all repairs it)");
        }

        if ((header.Incompatible & Qcow2Header.IncompatDirty) != 0)
        {
            throw new BlockException($"Cannot open {path} for writing: the image is dirty, its refcounts need repair (qemu-img check -r all)");
        }

        if ((header.Compatible & Qcow2Header.CompatLazyRefcounts) != 0)
        {
            throw new BlockException($"Cannot open {path} for writing: lazy_refcounts is not supported (qemu-img amend -o lazy_refcounts=off)");
        }

        if (header.SnapshotCount != 0)
        {
            throw new BlockException($"Cannot open {path} for writing: images with internal snapshots are read-only here");
        }
    }

    /// <summary>The next image of the chain: the caller's list when given, else the header's backing file and format.</summary>
    private static (string, ImageFormat)? NextInChain(Qcow2Header header, string path, IReadOnlyList<BackingImage>? chain)
    {
        if (chain is not null)
        {
            return chain.Count > 0 ? (chain[0].Path, chain[0].Format) : null;
        }

        if (header.BackingFile is not { } name)
        {
            return null;
        }

        if (name.Contains('\0') || name.Contains(':') && !name.StartsWith('/') && !name.StartsWith("./", StringComparison.Ordinal))
        {
            throw new BlockException($"Backing file name '{Printable(name)}' of {path} is not a plain file path");
        }

        string directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? "/";
        string resolved = System.IO.Path.IsPathRooted(name) ? name : System.IO.Path.Combine(directory, name);
        ImageFormat format = header.BackingFormat switch
        {
            null => Probe(resolved),
            "raw" => ImageFormat.Raw,
            "qcow2" => ImageFormat.Qcow2,
            string other => throw new BlockException($"Backing file {resolved} of {path} has the unsupported format '{Printable(other)}'"),
        };
        return (resolved, format);
    }

    /// <summary>The format of a backing file whose image does not say: qcow2 by its magic, else raw (as QEMU probes).</summary>
    private static ImageFormat Probe(string path)
    {
        ImageFile file = OpenFile(path, writable: false, direct: false);
        try
        {
            Span<byte> magic = stackalloc byte[4];
            return file.Read(0, magic) == 0 && System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(magic) == Qcow2Header.Magic ? ImageFormat.Qcow2 : ImageFormat.Raw;
        }
        finally
        {
            file.Dispose();
        }
    }

    private static string Printable(string text) => new(text.Take(200).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
