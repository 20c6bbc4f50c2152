namespace Kvm.DBus.Protocol;

/// <summary>Returned by <see cref="MessageWriter.WriteArrayStart"/>; pass it to <see cref="MessageWriter.WriteArrayEnd"/>.</summary>
public readonly record struct ArrayStart(int LengthOffset, int DataOffset);
