using System.Text;

namespace Kvm.Qmp.Protocol;

public sealed partial class QmpInputParser
{
    private LexState _state;
    private byte _quote;
    private int _unicodeDigits;
    private int _unicodeValue;
    private int _highSurrogate = -1;

    private enum LexState : byte
    {
        Start,
        Recovery,
        String,
        StringEscape,
        StringUnicode,
        Number,
        Keyword,
    }

    /// <summary>Consumes one byte; false when the byte must be processed again (lookahead).</summary>
    private bool Step(byte b, List<QmpInput> output)
    {
        switch (_state)
        {
            case LexState.Start:
                return StepStart(b, output);
            case LexState.Recovery:
                // QEMU resynchronises on a structural character, a control character other than
                // tab, or one of the impossible UTF-8 bytes 0xFE/0xFF (qmp-spec: forcing a reset).
                if ((b < 0x20 && b != (byte)'\t') || b >= 0xFE || b is (byte)'[' or (byte)']' or (byte)'{' or (byte)'}')
                {
                    _state = LexState.Start;
                    return false;
                }

                return true;
            case LexState.String:
                return StepString(b, output);
            case LexState.StringEscape:
                return StepEscape(b, output);
            case LexState.StringUnicode:
                return StepUnicode(b, output);
            case LexState.Number:
                if (b is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-')
                {
                    return AppendText(b, output);
                }

                EmitNumber(output);
                return false;
            case LexState.Keyword:
                if (b is >= (byte)'a' and <= (byte)'z')
                {
                    return AppendText(b, output);
                }

                int length = _text.WrittenCount;
                _state = LexState.Start;
                Push(new JsonToken(JsonTokenKind.Keyword, TakeText()), length, output);
                return false;
            default:
                return true;
        }
    }

    private bool StepStart(byte b, List<QmpInput> output)
    {
        switch (b)
        {
            case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                return true;
            case (byte)'{': Push(new JsonToken(JsonTokenKind.LeftCurly, null), 1, output); return true;
            case (byte)'}': Push(new JsonToken(JsonTokenKind.RightCurly, null), 1, output); return true;
            case (byte)'[': Push(new JsonToken(JsonTokenKind.LeftSquare, null), 1, output); return true;
            case (byte)']': Push(new JsonToken(JsonTokenKind.RightSquare, null), 1, output); return true;
            case (byte)':': Push(new JsonToken(JsonTokenKind.Colon, null), 1, output); return true;
            case (byte)',': Push(new JsonToken(JsonTokenKind.Comma, null), 1, output); return true;
            case (byte)'"' or (byte)'\'':
                _quote = b;
                _highSurrogate = -1;
                _state = LexState.String;
                return true;
            case (byte)'-' or >= (byte)'0' and <= (byte)'9':
                _state = LexState.Number;
                return AppendText(b, output);
            case >= (byte)'a' and <= (byte)'z':
                _state = LexState.Keyword;
                return AppendText(b, output);
            default:
                LexError(b < 0x80 ? ((char)b).ToString() : "\uFFFD", output);
                return true;
        }
    }

    private bool StepString(byte b, List<QmpInput> output)
    {
        if (b == _quote)
        {
            int length = _text.WrittenCount + 2;
            _state = LexState.Start;
            Push(new JsonToken(JsonTokenKind.String, TakeText()), length, output);
            return true;
        }

        if (b == (byte)'\\')
        {
            _state = LexState.StringEscape;
            return true;
        }

        if (b < 0x20 || b >= 0xFE)
        {
            string partial = (char)_quote + TakeText() + (b < 0x80 ? ((char)b).ToString() : "\uFFFD");
            LexError(partial, output);
            return true;
        }

        return AppendText(b, output);
    }

    private bool StepEscape(byte b, List<QmpInput> output)
    {
        char decoded;
        switch (b)
        {
            case (byte)'"': decoded = '"'; break;
            case (byte)'\'': decoded = '\''; break;
            case (byte)'\\': decoded = '\\'; break;
            case (byte)'/': decoded = '/'; break;
            case (byte)'b': decoded = '\b'; break;
            case (byte)'f': decoded = '\f'; break;
            case (byte)'n': decoded = '\n'; break;
            case (byte)'r': decoded = '\r'; break;
            case (byte)'t': decoded = '\t'; break;
            case (byte)'u':
                _unicodeDigits = 0;
                _unicodeValue = 0;
                _state = LexState.StringUnicode;
                return true;
            default:
                LexError((char)_quote + TakeText() + "\\" + (b < 0x80 ? ((char)b).ToString() : "\uFFFD"), output);
                return true;
        }

        _state = LexState.String;
        return AppendText((byte)decoded, output);
    }

    private bool StepUnicode(byte b, List<QmpInput> output)
    {
        int digit = b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            _ => -1,
        };
        if (digit < 0)
        {
            LexError((char)_quote + TakeText() + "\\u" + (b < 0x80 ? ((char)b).ToString() : "\uFFFD"), output);
            return true;
        }

        _unicodeValue = (_unicodeValue << 4) | digit;
        if (++_unicodeDigits < 4)
        {
            return true;
        }

        _state = LexState.String;
        int cp = _unicodeValue;
        if (cp is >= 0xD800 and <= 0xDBFF)
        {
            _highSurrogate = cp;
            return true;
        }

        if (cp is >= 0xDC00 and <= 0xDFFF && _highSurrogate >= 0)
        {
            cp = char.ConvertToUtf32((char)_highSurrogate, (char)cp);
        }
        else if (cp is >= 0xDC00 and <= 0xDFFF)
        {
            cp = 0xFFFD;
        }

        _highSurrogate = -1;
        Span<byte> utf8 = stackalloc byte[4];
        int written = new Rune(cp).EncodeToUtf8(utf8);
        foreach (byte u in utf8[..written])
        {
            AppendText(u, output);
        }

        return true;
    }

    private void EmitNumber(List<QmpInput> output)
    {
        int length = _text.WrittenCount;
        _state = LexState.Start;
        if (!JsonNumberGrammar.TryClassify(_text.WrittenSpan, out bool isInteger))
        {
            LexError(TakeText(), output);
            return;
        }

        Push(new JsonToken(isInteger ? JsonTokenKind.Integer : JsonTokenKind.Float, TakeText()), length, output);
    }

    private bool AppendText(byte b, List<QmpInput> output)
    {
        if (_tokenBytes + _text.WrittenCount + 1 > _limits.MaxMessageBytes)
        {
            _text.ResetWrittenCount();
            EmitError("JSON token size limit exceeded", output);
            _state = LexState.Recovery;
            return true;
        }

        _text.GetSpan(1)[0] = b;
        _text.Advance(1);
        return true;
    }

    private void LexError(string token, List<QmpInput> output)
    {
        _text.ResetWrittenCount();
        EmitError($"JSON parse error, stray '{token}'", output);
        _state = LexState.Recovery;
    }
}
