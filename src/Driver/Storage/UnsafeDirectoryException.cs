namespace Kvm.Driver.Storage;

/// <summary>A state or runtime directory kvmd will not use: someone other than kvmd's user could change what is in it.</summary>
public sealed class UnsafeDirectoryException : IOException
{
    public UnsafeDirectoryException(string directory, string message)
        : base(message)
    {
        Directory = directory;
    }

    public string Directory { get; }
}
