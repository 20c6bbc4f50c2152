namespace Kvm.DBus.Protocol;

/// <summary>Returned by <see cref="Reader.ReadArrayStart"/>; the offset just past the array's elements.</summary>
public readonly record struct ArrayEnd(int EndOffset);
