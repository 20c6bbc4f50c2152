using Kvm.Vmm.Bus;
using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Memory;
using Microsoft.Win32.SafeHandles;

namespace Kvm.Vmm.Firmware;

/// <summary>
/// A machine that boots through UEFI firmware in flash (OVMF), as libvirt's <c>&lt;loader type='pflash'&gt;</c> with
/// <c>&lt;nvram&gt;</c> asks: the code read-only at the top of the 4 GiB space, where the reset vector lands, and the
/// variable store (the domain's NVRAM file, written through) just below it, both <see cref="CfiFlash"/> as on QEMU's
/// pc machines. OVMF's code and variables together fill a 2 or 4 MiB flash; the two files are checked to match.
/// </summary>
public sealed class UefiBoot : IDisposable
{
    private const long MaxFlashSize = 16 << 20;

    private UefiBoot(CfiFlash code, CfiFlash variables)
    {
        Code = code;
        Variables = variables;
    }

    public CfiFlash Code { get; }

    public CfiFlash Variables { get; }

    /// <summary>Maps <paramref name="codePath"/> and <paramref name="nvramPath"/> into the guest and onto <paramref name="mmio"/>.</summary>
    /// <exception cref="FirmwareException">A file is missing, unreadable, of a size flash cannot have, or the two do not match.</exception>
    public static UefiBoot Load(IVm vm, MmioBus mmio, string codePath, string nvramPath)
    {
        byte[] code = ReadCode(codePath);
        var nvram = OpenNvram(nvramPath, out long nvramSize);
        var memories = new List<GuestMemory>();
        try
        {
            long total = code.Length + nvramSize;
            if (nvramSize == 0 || nvramSize % CfiFlash.BlockSize != 0 || !ulong.IsPow2((ulong)total) || total > MaxFlashSize)
            {
                throw new FirmwareException($"The NVRAM {nvramPath} ({nvramSize} bytes) does not match the firmware {codePath} ({code.Length} bytes): " +
                    "UEFI code and variables together fill a flash of a power-of-two size (OVMF_CODE_4M.fd goes with OVMF_VARS_4M.fd)");
            }

            ulong codeBase = Boot.GuestLayout.FourGiB - (ulong)code.Length;
            ulong nvramBase = codeBase - (ulong)nvramSize;
            var codeMemory = Place(memories, codeBase, code);
            byte[] variables = new byte[nvramSize];
            RandomAccess.Read(nvram, variables, 0);
            var nvramMemory = Place(memories, nvramBase, variables);
            var codeFlash = new CfiFlash(codeMemory, null, codePath);
            var nvramFlash = new CfiFlash(nvramMemory, nvram, nvramPath);
            vm.MapReadOnlyMemory(codeMemory);
            vm.MapReadOnlyMemory(nvramMemory);
            mmio.Register(codeBase, (ulong)code.Length, codeFlash);
            mmio.Register(nvramBase, (ulong)nvramSize, nvramFlash);
            return new UefiBoot(codeFlash, nvramFlash);
        }
        catch (IOException e)
        {
            Release(memories, nvram);
            throw new FirmwareException($"Cannot read the NVRAM {nvramPath}: {e.Message}", e);
        }
        catch
        {
            Release(memories, nvram);
            throw;
        }
    }

    public void Dispose()
    {
        Code.Dispose();
        Variables.Dispose();
        Code.Contents.Dispose();
        Variables.Contents.Dispose();
    }

    private static GuestMemory Place(List<GuestMemory> memories, ulong address, byte[] contents)
    {
        var memory = GuestMemory.Allocate([(address, (ulong)contents.Length)]);
        memories.Add(memory);
        memory.Write(address, contents);
        return memory;
    }

    private static void Release(List<GuestMemory> memories, SafeFileHandle nvram)
    {
        foreach (var memory in memories)
        {
            memory.Dispose();
        }

        nvram.Dispose();
    }

    private static byte[] ReadCode(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new FirmwareException(Directory.Exists(path) ? $"The firmware {path} is a directory, not a file" : $"The firmware {path} does not exist");
            }

            if (info.Length == 0 || info.Length % CfiFlash.BlockSize != 0 || info.Length >= MaxFlashSize)
            {
                throw new FirmwareException($"The firmware {path} is {info.Length} bytes: UEFI flash code is a whole number of 4 KiB blocks, below 16 MiB");
            }

            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FirmwareException($"Cannot read the firmware {path}: {e.Message}", e);
        }
    }

    private static SafeFileHandle OpenNvram(string path, out long size)
    {
        try
        {
            if (Directory.Exists(path))
            {
                throw new FirmwareException($"The NVRAM {path} is a directory, not a file");
            }

            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            size = RandomAccess.GetLength(handle);
            return handle;
        }
        catch (FileNotFoundException e)
        {
            throw new FirmwareException($"The NVRAM {path} does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FirmwareException($"Cannot open the NVRAM {path} for writing: {e.Message}", e);
        }
    }
}
