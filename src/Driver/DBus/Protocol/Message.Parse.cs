using Microsoft.Win32.SafeHandles;

namespace Kvm.DBus.Protocol;

public sealed partial class Message
{
    private static Message ParseCore(byte[] data, Queue<SafeFileHandle> fdQueue)
    {
        if (!TryGetFrameLength(data, out int length))
        {
            ThrowHelper.ThrowRead("Message shorter than its fixed header", data.Length);
        }
        if (length != data.Length)
        {
            ThrowHelper.ThrowRead("Message length does not match its header", 4);
        }
        bool bigEndian = data[0] == ProtocolLimits.BigEndianMark;
        var type = (MessageType)data[1];
        if (type is < MessageType.MethodCall or > MessageType.Signal)
        {
            ThrowHelper.ThrowRead("Unknown message type", 1);
        }
        var reader = new Reader(data, bigEndian);
        reader.ReadUInt32();
        uint bodyLength = reader.ReadUInt32();
        uint serial = reader.ReadUInt32();
        if (serial == 0)
        {
            ThrowHelper.ThrowRead("Serial is zero", 8);
        }
        var message = new Message(data, data.Length - (int)bodyLength)
        {
            IsBigEndian = bigEndian, Type = type, Flags = (MessageFlags)data[2], Serial = serial,
        };
        message.ReadHeaderFields(ref reader);
        if (reader.Offset != message._bodyOffset)
        {
            ThrowHelper.ThrowRead("Header length does not match the body length", reader.Offset);
        }
        message.CheckRequiredFields();
        if (message.UnixFdCount > fdQueue.Count)
        {
            ThrowHelper.ThrowRead("UNIX_FDS header field announces more descriptors than were received", 12);
        }
        if (message.UnixFdCount > 0)
        {
            var handles = new SafeFileHandle?[message.UnixFdCount];
            for (int i = 0; i < handles.Length; i++)
            {
                handles[i] = fdQueue.Dequeue();
            }
            message._handles = handles;
        }
        return message;
    }

    private void ReadHeaderFields(ref Reader reader)
    {
        ArrayEnd end = reader.ReadArrayStart(DBusType.Struct);
        ulong seen = 0;
        while (reader.HasNext(end))
        {
            reader.AlignStruct();
            int at = reader.Offset;
            byte code = reader.ReadByte();
            ReadOnlySpan<byte> sig = reader.ReadSignatureAsSpan();
            if (code < 64)
            {
                if ((seen & (1UL << code)) != 0 && code != 0)
                {
                    ThrowHelper.ThrowRead("Header field repeated", at);
                }
                seen |= 1UL << code;
            }
            ReadHeaderField(ref reader, (HeaderField)code, sig, at);
        }
        reader.AlignTo(8);
    }

    private void ReadHeaderField(ref Reader reader, HeaderField field, ReadOnlySpan<byte> sig, int at)
    {
        ReadOnlySpan<byte> expected = field switch
        {
            HeaderField.Path => "o"u8,
            HeaderField.Interface or HeaderField.Member or HeaderField.ErrorName
                or HeaderField.Destination or HeaderField.Sender => "s"u8,
            HeaderField.ReplySerial or HeaderField.UnixFds => "u"u8,
            HeaderField.Signature => "g"u8,
            HeaderField.Invalid => ThrowHelper.ThrowRead<byte[]>("Header field code 0", at),
            _ => default,
        };
        if (expected.IsEmpty)
        {
            // Unknown fields must be accepted and ignored (specification, "Header Fields").
            if (!Protocol.Signature.IsSingleCompleteType(sig))
            {
                ThrowHelper.ThrowRead("Header field signature is not a single complete type", at);
            }
            reader.ReadValue(sig);
            return;
        }
        if (!sig.SequenceEqual(expected))
        {
            ThrowHelper.ThrowRead("Header field has the wrong type", at);
        }
        switch (field)
        {
            case HeaderField.Path: SetName(field, reader.ReadStringAsSpan(), reader.Offset, DBusNames.IsValidObjectPath, "object path", at); break;
            case HeaderField.Interface: SetName(field, reader.ReadStringAsSpan(), reader.Offset, DBusNames.IsValidInterfaceName, "interface name", at); break;
            case HeaderField.Member: SetName(field, reader.ReadStringAsSpan(), reader.Offset, DBusNames.IsValidMemberName, "member name", at); break;
            case HeaderField.ErrorName: SetName(field, reader.ReadStringAsSpan(), reader.Offset, DBusNames.IsValidErrorName, "error name", at); break;
            case HeaderField.Destination: SetName(field, reader.ReadStringAsSpan(), reader.Offset, DBusNames.IsValidBusName, "destination", at); break;
            case HeaderField.Sender: SetName(field, reader.ReadStringAsSpan(), reader.Offset, DBusNames.IsValidBusName, "sender", at); break;
            case HeaderField.ReplySerial: ReplySerial = reader.ReadUInt32(); break;
            case HeaderField.Signature:
                ReadOnlySpan<byte> signature = reader.ReadSignatureAsSpan();
                _ranges[(int)field] = new FieldRange(reader.Offset - signature.Length - 1, signature.Length);
                break;
            case HeaderField.UnixFds: UnixFdCount = (int)Math.Min(reader.ReadUInt32(), int.MaxValue); break;
        }
    }

    private delegate bool NameValidator(ReadOnlySpan<char> name);

    // Names and paths are ASCII: widening each byte to a char keeps every non-ASCII byte invalid for the validators.
    private void SetName(HeaderField field, ReadOnlySpan<byte> utf8, int end, NameValidator isValid, string what, int at)
    {
        Span<char> chars = utf8.Length <= 256 ? stackalloc char[utf8.Length] : new char[utf8.Length];
        for (int i = 0; i < utf8.Length; i++)
        {
            chars[i] = (char)utf8[i];
        }
        if (!isValid(chars))
        {
            ThrowHelper.ThrowRead($"Invalid {what}", at);
        }
        _ranges[(int)field] = new FieldRange(end - utf8.Length - 1, utf8.Length);
    }

    private void CheckRequiredFields()
    {
        bool ok = Type switch
        {
            MessageType.MethodCall => Path is not null && Member is not null,
            MessageType.MethodReturn => ReplySerial != 0,
            MessageType.Error => ReplySerial != 0 && ErrorName is not null,
            MessageType.Signal => Path is not null && Interface is not null && Member is not null,
            _ => false,
        };
        if (!ok)
        {
            ThrowHelper.ThrowRead($"{Type} message without its required header fields", 12);
        }
    }
}
