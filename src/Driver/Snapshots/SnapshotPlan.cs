namespace Kvm.Driver.Snapshots;

/// <summary>What qemuSnapshotPrepare learned of a new snapshot: whether its disks are internal or external.</summary>
internal readonly record struct SnapshotPlan(bool Internal, bool External);
