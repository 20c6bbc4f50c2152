using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;

namespace Kvm.Driver.Rpc;

/// <summary>The process on the other end of a Unix socket, as the kernel says (SO_PEERCRED), and who may use kvmd.</summary>
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    private const int SolSocket = 1;  // SOL_SOCKET
    private const int SoPeerCred = 17; // SO_PEERCRED (struct ucred: pid, uid, gid)

    public static PeerCredentials Of(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        int length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length != ucred.Length)
        {
            throw new SocketException((int)SocketError.ProtocolNotSupported);
        }
        return new PeerCredentials(BinaryPrimitives.ReadInt32LittleEndian(ucred), BinaryPrimitives.ReadUInt32LittleEndian(ucred[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(ucred[8..]));
    }

    /// <summary>
    /// The D-Bus policy's rule: root, or a member of <paramref name="group"/> (primary group, or a supplementary group
    /// of the peer process as /proc tells); no group means anyone who could open the socket.
    /// </summary>
    public bool MayUse(string? group, string etcGroup = "/etc/group", string procRoot = "/proc")
    {
        if (Uid == 0 || group is null)
        {
            return true;
        }
        if (!TryGroupId(group, etcGroup, out uint gid))
        {
            return false;
        }
        return Gid == gid || SupplementaryGroups(procRoot).Contains(gid);
    }

    /// <summary>The id of <paramref name="group"/> in the group database file.</summary>
    public static bool TryGroupId(string group, string etcGroup, out uint gid)
    {
        gid = 0;
        if (!File.Exists(etcGroup))
        {
            return false;
        }
        foreach (string line in File.ReadLines(etcGroup))
        {
            string[] fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == group)
            {
                return uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out gid);
            }
        }
        return false;
    }

    private List<uint> SupplementaryGroups(string procRoot)
    {
        var groups = new List<uint>();
        string status = Path.Combine(procRoot, Pid.ToString(CultureInfo.InvariantCulture), "status");
        try
        {
            foreach (string line in File.ReadLines(status))
            {
                if (line.StartsWith("Groups:", StringComparison.Ordinal))
                {
                    foreach (string id in line["Groups:".Length..].Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (uint.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out uint gid))
                        {
                            groups.Add(gid);
                        }
                    }
                }
            }
        }
        catch (IOException)
        {
            // the peer is gone: it has no groups left to count
        }
        return groups;
    }
}
