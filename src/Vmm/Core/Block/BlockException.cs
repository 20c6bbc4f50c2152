namespace Kvm.Vmm.Block;

/// <summary>
/// An image that cannot be opened as asked: missing, unreadable, locked by another process, not of its stated format,
/// or malformed. The message names the file and what is wrong with it.
/// </summary>
public sealed class BlockException(string message, Exception? innerException = null) : Exception(message, innerException);
