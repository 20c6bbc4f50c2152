using Kvm.Driver.Domains;
using Kvm.Driver.Networks;

namespace Kvm.Driver.Snapshots;

/// <summary>
/// What libvirt's QEMU driver does with qemu-img for an inactive domain (qemuDomainSnapshotForEachQcow2Raw and
/// qemuSnapshotCreateInactiveExternal): internal snapshots in a qcow2 image's snapshot table (<c>snapshot -c/-a/-d</c>)
/// and qcow2 overlays on top of a disk's image for external snapshots (<c>create -f qcow2 -F FMT -b BACKING</c>).
/// </summary>
internal sealed class QemuImgSnapshots
{
    private readonly string _qemuImg;

    public QemuImgSnapshots(string? qemuImg = null)
    {
        _qemuImg = qemuImg ?? "/usr/bin/qemu-img";
    }

    /// <summary>qemu-img snapshot with <paramref name="op"/> ("-c", "-a" or "-d") on one image.</summary>
    public void Internal(string op, string snapshot, string image, string disk)
    {
        string verb = op switch { "-c" => "create", "-a" => "revert to", "-d" => "delete", _ => op };
        Run($"cannot {verb} internal snapshot '{snapshot}' of disk {disk} ('{image}')", "snapshot", op, snapshot, image);
    }

    /// <summary>A new qcow2 overlay at <paramref name="overlay"/> whose backing file is the disk's current image.</summary>
    public void CreateOverlay(string overlay, string backing, string backingFormat, string disk) =>
        Run($"cannot create external snapshot overlay '{overlay}' for disk {disk}", "create", "-f", "qcow2", "-F", backingFormat, "-b", backing, overlay);

    private void Run(string what, params string[] args)
    {
        if (!File.Exists(_qemuImg))
        {
            throw DomainErrors.ConfigUnsupported($"'{_qemuImg}' is not installed (Debian package qemu-utils); snapshots of inactive domains need it");
        }
        (int exit, string stdout, string stderr) = HostCommands.Host.TryRun(_qemuImg, args);
        if (exit != 0)
        {
            string reason = (stderr.Length > 0 ? stderr : stdout).Trim();
            throw DomainErrors.OperationFailed($"{what}: {reason}");
        }
    }
}
