using Kvm.Vmm.Devices;
using Kvm.Vmm.Hypervisor;
using Kvm.Vmm.Machine;
using NUnit.Framework;

namespace Kvm.Vmm.Tests;

/// <summary>
/// vCPU exits fabricated in plain memory, through the machine's own port devices: each is handled or ends the VM
/// with a reason, none throws, and nothing is read or written outside the kvm_run mapping.
/// </summary>
public sealed class ExitDispatcherTests
{
    private const int VcpuId = 3;

    private FakeInterruptLine _irq = null!;
    private List<MachineExit> _ends = null!;
    private PortDevices _ports = null!;
    private ExitDispatcher _dispatcher = null!;

    [SetUp]
    public void SetUp()
    {
        _irq = new FakeInterruptLine();
        _ends = [];
        _ports = PortDevices.Create(new FakeSerialOutput(Serial8250.TransmitHeadroom), _irq, TimeProvider.System, new DebugExitConfig(), _ends.Add);
        _dispatcher = new ExitDispatcher(_ports.Bus, new Bus.MmioBus());
    }

    [TearDown]
    public void TearDown()
    {
        _ports.Serial.Dispose();
        _irq.Dispose();
    }

    [Test]
    public void Dispatch_OutToPostCodePort_ReachesTheDevice()
    {
        var run = new FakeKvmRun().Io(isWrite: true, width: 1, port: PostCodePort.Port, count: 1);
        run.Mapping[FakeKvmRun.PioDataOffset] = 0x42;

        var action = Dispatch(run, VcpuExit.Io, out var end);

        Assert.That((action, end, _ports.PostCode.LastCode), Is.EqualTo((ExitAction.Continue, (MachineExit?)null, (byte)0x42)));
    }

    [Test]
    public void Dispatch_RepOutsb_WritesEveryItemInOrder()
    {
        var run = new FakeKvmRun().Io(isWrite: true, width: 1, port: PostCodePort.Port, count: 5);
        new byte[] { 1, 2, 3, 4, 5 }.CopyTo(run.Mapping[FakeKvmRun.PioDataOffset..]);

        var action = Dispatch(run, VcpuExit.Io, out _);

        Assert.That((action, _ports.PostCode.Writes, _ports.PostCode.LastCode), Is.EqualTo((ExitAction.Continue, 5L, (byte)5)));
    }

    [Test]
    public void Dispatch_RepInswFromUnownedPort_FillsEveryItemWithOnes()
    {
        var run = new FakeKvmRun().Io(isWrite: false, width: 2, port: 0x1234, count: 3);

        var action = Dispatch(run, VcpuExit.Io, out _);

        Assert.That(action, Is.EqualTo(ExitAction.Continue));
        Assert.That(run.Mapping.Slice(FakeKvmRun.PioDataOffset, 8).ToArray(), Is.EqualTo(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0 }));
    }

    [Test]
    public void Dispatch_OutToDebugExit_EndsTheMachineThroughTheBus()
    {
        var run = new FakeKvmRun().Io(isWrite: true, width: 1, port: IsaDebugExit.DefaultIoBase, count: 1);
        run.Mapping[FakeKvmRun.PioDataOffset] = 0x2a;

        Dispatch(run, VcpuExit.Io, out _);

        Assert.That(_ends.Select(e => (e.Reason, e.ExitStatus)), Is.EqualTo(new[] { (MachineExitReason.GuestDebugExit, 85) }));
    }

    [TestCase((byte)0, 1u, (ulong)FakeKvmRun.PioDataOffset)]
    [TestCase((byte)3, 1u, (ulong)FakeKvmRun.PioDataOffset)]
    [TestCase((byte)8, 1u, (ulong)FakeKvmRun.PioDataOffset)]
    [TestCase((byte)1, 2u, (ulong)FakeKvmRun.MappingSize - 1)]
    [TestCase((byte)1, 1u, 0xffff_ffff_ffff_f000ul)]
    [TestCase((byte)4, uint.MaxValue, 0ul)]
    [TestCase((byte)1, 0x8000_0000u, 0ul)]
    public void Dispatch_IoOutsideTheMapping_StopsWithInternalErrorAndTouchesNothing(byte width, uint count, ulong dataOffset)
    {
        var run = new FakeKvmRun().Io(isWrite: false, width, port: 0x80, count, dataOffset);

        var action = Dispatch(run, VcpuExit.Io, out var end);

        Assert.That((action, end?.Reason, end?.Detail), Is.EqualTo((ExitAction.Stop, MachineExitReason.InternalError,
            "vCPU 3: KVM reported a port access outside the kvm_run page")));
        Assert.That(run.GuardsIntact, Is.True);
    }

    [Test]
    public void Dispatch_IoCountZero_DoesNothing()
    {
        var run = new FakeKvmRun().Io(isWrite: true, width: 1, port: PostCodePort.Port, count: 0);

        var action = Dispatch(run, VcpuExit.Io, out _);

        Assert.That((action, _ports.PostCode.Writes), Is.EqualTo((ExitAction.Continue, 0L)));
    }

    [TestCase(1u)]
    [TestCase(4u)]
    [TestCase(8u)]
    public void Dispatch_MmioReadOfUnmappedAddress_ReadsAllOnes(uint length)
    {
        var run = new FakeKvmRun().Mmio(0xd000_0000, isWrite: false, length);

        var action = Dispatch(run, VcpuExit.Mmio, out _);

        byte[] expected = new byte[8];
        expected.AsSpan(0, (int)length).Fill(0xff);
        Assert.That((action, run.Mapping.Slice(40, 8).ToArray()), Is.EqualTo((ExitAction.Continue, expected)));
    }

    [Test]
    public void Dispatch_MmioReadLongerThanItsData_FillsOnlyTheEightBytes()
    {
        var run = new FakeKvmRun().Mmio(0xffff_ffff_ffff_fff8, isWrite: false, uint.MaxValue);

        var action = Dispatch(run, VcpuExit.Mmio, out _);

        Assert.That(action, Is.EqualTo(ExitAction.Continue));
        Assert.That(run.Mapping.Slice(40, 12).ToArray(), Is.EqualTo(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }),
            "eight bytes of ones, then len (0xffffffff) unchanged");
        Assert.That(run.Mapping[52], Is.Zero, "is_write unchanged");
    }

    [Test]
    public void Dispatch_MmioWrite_IsDroppedAndLeavesTheData()
    {
        var run = new FakeKvmRun().Mmio(0xfee0_0300, isWrite: true, 4, [9, 9, 9, 9]);

        var action = Dispatch(run, VcpuExit.Mmio, out _);

        Assert.That((action, run.Mapping.Slice(40, 4).ToArray()), Is.EqualTo((ExitAction.Continue, new byte[] { 9, 9, 9, 9 })));
    }

    [TestCase(VcpuExit.Unknown)]
    [TestCase(VcpuExit.Exception)]
    [TestCase(VcpuExit.Hypercall)]
    [TestCase(VcpuExit.Debug)]
    [TestCase(VcpuExit.FailEntry)]
    [TestCase(VcpuExit.InternalError)]
    [TestCase((VcpuExit)99)]
    [TestCase((VcpuExit)0xdeadbeef)]
    public void Dispatch_ExitItDoesNotHandle_StopsWithInternalError(VcpuExit exit)
    {
        var run = new FakeKvmRun().Exit((uint)exit);

        var action = Dispatch(run, exit, out var end);

        Assert.That((action, end?.Reason), Is.EqualTo((ExitAction.Stop, MachineExitReason.InternalError)));
        Assert.That(end!.Detail, Does.StartWith("vCPU 3: unhandled exit ").And.EndWith($"({(uint)exit})"));
    }

    [TestCase(VcpuExit.Hlt, MachineExitReason.GuestShutdown)]
    [TestCase(VcpuExit.Shutdown, MachineExitReason.GuestReset)]
    public void Dispatch_HaltOrTripleFault_EndsTheMachine(VcpuExit exit, MachineExitReason reason)
    {
        var action = Dispatch(new FakeKvmRun().Exit((uint)exit), exit, out var end);

        Assert.That((action, end?.Reason), Is.EqualTo((ExitAction.Stop, reason)));
    }

    [TestCase(1u, MachineExitReason.GuestShutdown)]
    [TestCase(2u, MachineExitReason.GuestReset)]
    [TestCase(3u, MachineExitReason.GuestCrash)]
    [TestCase(0u, MachineExitReason.InternalError)]
    [TestCase(uint.MaxValue, MachineExitReason.InternalError)]
    public void Dispatch_SystemEvent_EndsTheMachineForItsType(uint type, MachineExitReason reason)
    {
        var action = Dispatch(new FakeKvmRun().SystemEvent(type), VcpuExit.SystemEvent, out var end);

        Assert.That((action, end?.Reason, end?.Detail), Is.EqualTo((ExitAction.Stop, reason, $"vCPU 3: system event {type}")));
    }

    [Test]
    public void Dispatch_Interrupted_AsksToParkWithoutReadingThePage()
    {
        // KVM_RUN failed with EINTR: exit_reason is whatever the last exit left.
        var run = new FakeKvmRun().Io(isWrite: true, width: 1, port: PostCodePort.Port, count: 1);

        var action = Dispatch(run, VcpuExit.Interrupted, out var end);

        Assert.That((action, end, _ports.PostCode.Writes), Is.EqualTo((ExitAction.Interrupted, (MachineExit?)null, 0L)));
    }

    [Test]
    public void Dispatch_IrqWindowOpen_Continues()
    {
        Assert.That(Dispatch(new FakeKvmRun().Exit(7), VcpuExit.IrqWindowOpen, out _), Is.EqualTo(ExitAction.Continue));
    }

    [Test]
    public void Dispatch_PortAndMmioExits_DoNotAllocate()
    {
        var outb = new FakeKvmRun().Io(isWrite: true, width: 1, port: PostCodePort.Port, count: 1);
        var lsr = new FakeKvmRun().Io(isWrite: false, width: 1, port: Serial8250.Com1Port + 5, count: 1);
        var insw = new FakeKvmRun().Io(isWrite: false, width: 2, port: 0x1f0, count: 256);
        var mmio = new FakeKvmRun().Mmio(0xfed0_00f0, isWrite: false, 4);
        FakeKvmRun[] runs = [outb, lsr, insw, mmio];
        VcpuExit[] exits = [VcpuExit.Io, VcpuExit.Io, VcpuExit.Io, VcpuExit.Mmio];
        for (int i = 0; i < 1000; i++)
        {
            Dispatch(runs[i % 4], exits[i % 4], out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            Dispatch(runs[i % 4], exits[i % 4], out _);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    /// <summary>Random exit reasons over random pages: a handled exit continues, anything else stops; nothing throws.</summary>
    [TestCase(1)]
    [TestCase(7)]
    [TestCase(20240229)]
    public void Dispatch_SeededRandomExits_NeverThrowNorTouchOutsideTheMapping(int seed)
    {
        var random = new Random(seed);
        var run = new FakeKvmRun();
        VcpuExit[] reasons = [.. Enum.GetValues<VcpuExit>()];
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(run.Mapping[..64]);
            var exit = random.Next(4) switch
            {
                0 => (VcpuExit)(uint)random.Next(int.MinValue, int.MaxValue),
                1 => reasons[random.Next(reasons.Length)],
                2 => VcpuExit.Mmio,
                _ => VcpuExit.Io,
            };
            if (exit == VcpuExit.Io && random.Next(2) == 0)
            {
                // Mostly sane fields, so the accesses reach the devices as well as the bounds checks.
                byte[] widths = [0, 1, 2, 3, 4, 8];
                ulong[] offsets = [FakeKvmRun.PioDataOffset, FakeKvmRun.MappingSize - 4, FakeKvmRun.MappingSize, (ulong)random.NextInt64(), ulong.MaxValue];
                run.Io(random.Next(2) == 0, widths[random.Next(widths.Length)], (ushort)random.Next(0x10000),
                    (uint)random.Next(0, 300), offsets[random.Next(offsets.Length)]);
            }

            var action = Dispatch(run, exit, out var end);

            Assert.That(action == ExitAction.Stop, Is.EqualTo(end is not null), $"seed {seed} step {i}: {exit}");
        }

        Assert.That(run.GuardsIntact, Is.True);
    }

    private ExitAction Dispatch(FakeKvmRun run, VcpuExit exit, out MachineExit? end) =>
        _dispatcher.Dispatch(VcpuId, exit, new KvmRunView(run.Mapping), out end);
}
