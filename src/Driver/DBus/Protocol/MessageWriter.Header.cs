using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Kvm.DBus.Protocol;

public ref partial struct MessageWriter
{
    public void WriteMethodCallHeader(string? destination, string path, string? @interface, string member,
        string? signature = null, MessageFlags flags = MessageFlags.None)
    {
        CheckPath(path);
        CheckInterface(@interface);
        CheckMember(member);
        CheckDestination(destination);
        _header = new HeaderInfo
        {
            Type = MessageType.MethodCall, Flags = flags, Destination = destination, Path = path,
            Interface = @interface, Member = member, Signature = CheckSignature(signature),
        };
    }

    public void WriteMethodReturnHeader(uint replySerial, string? destination, string? signature = null)
    {
        CheckDestination(destination);
        _header = new HeaderInfo
        {
            Type = MessageType.MethodReturn, Flags = MessageFlags.NoReplyExpected, ReplySerial = replySerial,
            Destination = destination, Signature = CheckSignature(signature),
        };
    }

    public void WriteErrorHeader(uint replySerial, string? destination, string errorName, string? signature = null)
    {
        if (!DBusNames.IsValidErrorName(errorName))
        {
            ThrowHelper.ThrowArgument($"Invalid error name '{errorName}'", nameof(errorName));
        }
        CheckDestination(destination);
        _header = new HeaderInfo
        {
            Type = MessageType.Error, Flags = MessageFlags.NoReplyExpected, ReplySerial = replySerial,
            Destination = destination, ErrorName = errorName, Signature = CheckSignature(signature),
        };
    }

    public void WriteSignalHeader(string? destination, string path, string @interface, string member, string? signature = null)
    {
        CheckPath(path);
        CheckInterface(@interface);
        CheckMember(member);
        CheckDestination(destination);
        _header = new HeaderInfo
        {
            Type = MessageType.Signal, Flags = MessageFlags.NoReplyExpected, Destination = destination, Path = path,
            Interface = @interface, Member = member, Signature = CheckSignature(signature),
        };
    }

    /// <summary>
    /// Frames header and body into a message ready to send; the writer is consumed. Throws <see cref="DBusException"/>
    /// when the body does not match the header's signature.
    /// </summary>
    public MessageBuffer CreateMessage() => CreateMessage(checkBody: true);

    /// <summary>Without the body check: for tests that must send malformed bodies.</summary>
    internal MessageBuffer CreateMessageUnchecked() => CreateMessage(checkBody: false);

    private MessageBuffer CreateMessage(bool checkBody)
    {
        if (_header.Type == MessageType.Invalid)
        {
            ThrowHelper.ThrowInvalidOperation("Write a header before creating the message");
        }
        if (_buffer is null)
        {
            ThrowHelper.ThrowInvalidOperation("The writer was disposed or its message already created");
        }
        int fdCount = _fds?.Count ?? 0;
        if (checkBody)
        {
            CheckBody(fdCount);
        }
        var h = new MessageWriter(_bigEndian, _length + 256);
        try
        {
            h.WriteByte(_bigEndian ? ProtocolLimits.BigEndianMark : ProtocolLimits.LittleEndianMark);
            h.WriteByte((byte)_header.Type);
            h.WriteByte((byte)_header.Flags);
            h.WriteByte(ProtocolLimits.ProtocolVersion);
            h.WriteUInt32((uint)_length);
            h.WriteUInt32(0); // serial, set when sent
            ArrayStart fields = h.WriteArrayStart(DBusType.Struct);
            h.WriteStringField(HeaderField.Path, "o"u8, _header.Path);
            h.WriteStringField(HeaderField.Interface, "s"u8, _header.Interface);
            h.WriteStringField(HeaderField.Member, "s"u8, _header.Member);
            h.WriteStringField(HeaderField.ErrorName, "s"u8, _header.ErrorName);
            if (_header.ReplySerial != 0)
            {
                h.WriteFieldStart(HeaderField.ReplySerial, "u"u8);
                h.WriteUInt32(_header.ReplySerial);
            }
            h.WriteStringField(HeaderField.Destination, "s"u8, _header.Destination);
            if (!string.IsNullOrEmpty(_header.Signature))
            {
                h.WriteFieldStart(HeaderField.Signature, "g"u8);
                h.WriteSignature(_header.Signature);
            }
            if (fdCount > 0)
            {
                h.WriteFieldStart(HeaderField.UnixFds, "u"u8);
                h.WriteUInt32((uint)fdCount);
            }
            h.WriteArrayEnd(fields);
            h.Align(8);
            _buffer.AsSpan(0, _length).CopyTo(h.Reserve(1, _length));
            if (h._length > ProtocolLimits.MaxMessageLength)
            {
                ThrowHelper.ThrowLimit("Message exceeds the 128 MiB limit");
            }
            var message = new MessageBuffer(h._buffer!, h._length, _bigEndian, _fds?.ToArray(), _header.Type,
                _header.Flags, _header.Member ?? _header.ErrorName, _header.ReplySerial);
            h._buffer = null;
            return message;
        }
        finally
        {
            h.Dispose();
            Dispose();
        }
    }

    // dbus-daemon disconnects a peer that sends a body not matching its signature: one handler's bug would take the
    // whole connection down. Checking costs one pass over the body and no allocation.
    private void CheckBody(int fdCount)
    {
        string signature = _header.Signature ?? "";
        Span<byte> sig = stackalloc byte[signature.Length];
        System.Text.Encoding.ASCII.GetBytes(signature, sig);
        var check = new Reader(_buffer.AsSpan(0, _length), _bigEndian, fdCount);
        try
        {
            check.SkipValues(sig);
        }
        catch (DBusReadException e)
        {
            Dispose();
            throw new DBusException($"Body does not match signature '{signature}'", e);
        }
        if (!check.IsAtEnd)
        {
            Dispose();
            throw new DBusException($"Body does not match signature '{signature}': {_length - check.Offset} bytes left over");
        }
    }

    private void WriteFieldStart(HeaderField field, ReadOnlySpan<byte> signature)
    {
        WriteStructStart();
        WriteByte((byte)field);
        WriteSignature(signature);
    }

    private void WriteStringField(HeaderField field, ReadOnlySpan<byte> signature, string? value)
    {
        if (value is null)
        {
            return;
        }
        WriteFieldStart(field, signature);
        WriteString(value);
    }

    private static void CheckPath(string path)
    {
        if (!DBusNames.IsValidObjectPath(path))
        {
            ThrowHelper.ThrowArgument($"Invalid object path '{path}'", nameof(path));
        }
    }

    private static void CheckInterface(string? name)
    {
        if (name is not null && !DBusNames.IsValidInterfaceName(name))
        {
            ThrowHelper.ThrowArgument($"Invalid interface name '{name}'", "interface");
        }
    }

    private static void CheckMember(string name)
    {
        if (!DBusNames.IsValidMemberName(name))
        {
            ThrowHelper.ThrowArgument($"Invalid member name '{name}'", "member");
        }
    }

    private static void CheckDestination(string? name)
    {
        if (name is not null && !DBusNames.IsValidBusName(name))
        {
            ThrowHelper.ThrowArgument($"Invalid bus name '{name}'", "destination");
        }
    }

    private static string? CheckSignature(string? signature)
    {
        if (signature is not null && !Signature.IsValid(signature))
        {
            ThrowHelper.ThrowArgument($"Invalid signature '{signature}'", nameof(signature));
        }
        return signature;
    }
}
