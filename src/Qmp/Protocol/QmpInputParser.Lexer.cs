using System.Text;

namespace Kvm.Qmp.Protocol;

public sealed partial class QmpInputParser
{
    private LexState _state;
    private byte _quote;
    private NumberState _number;

    private enum NumberState : byte
    {
        Minus,
        Zero,
        Integer,
        Dot,
        Fraction,
        Exponent,
        ExponentSign,
        ExponentDigits,
    }

    private enum LexState : byte
    {
        Start,
        Recovery,
        String,
        StringEscape,
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
                // QEMU resynchronises on a structural character ([ ] { } : ,), a control character
                // other than tab, or one of the impossible UTF-8 bytes 0xFE/0xFF (qmp-spec: forcing a reset).
                if ((b < 0x20 && b != (byte)'\t') || b >= 0xFE || b is (byte)'[' or (byte)']' or (byte)'{' or (byte)'}' or (byte)':' or (byte)',')
                {
                    _state = LexState.Start;
                    return false;
                }

                return true;
            case LexState.String:
                return StepString(b, output);
            case LexState.StringEscape:
                return StepEscape(b, output);
            case LexState.Number:
                return StepNumber(b, output);
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
                _state = LexState.String;
                return AppendText(b, output);
            case (byte)'-' or >= (byte)'0' and <= (byte)'9':
                _state = LexState.Number;
                _number = b switch
                {
                    (byte)'-' => NumberState.Minus,
                    (byte)'0' => NumberState.Zero,
                    _ => NumberState.Integer,
                };
                return AppendText(b, output);
            case >= (byte)'a' and <= (byte)'z':
                _state = LexState.Keyword;
                return AppendText(b, output);
            default:
                return LexErrorWith(b, output);
        }
    }

    // Strings are kept raw (quotes and escapes included) and decoded by the parser, as QEMU does;
    // the lexer only rejects control characters and the impossible bytes 0xFE/0xFF.
    private bool StepString(byte b, List<QmpInput> output)
    {
        if (b < 0x20 || b >= 0xFE)
        {
            return LexErrorWith(b, output);
        }

        AppendText(b, output);
        if (_state != LexState.String)
        {
            return true;
        }

        if (b == _quote)
        {
            int length = _text.WrittenCount;
            JsonTokenKind kind = System.Text.Unicode.Utf8.IsValid(_text.WrittenSpan) ? JsonTokenKind.String : JsonTokenKind.InvalidUtf8String;
            _state = LexState.Start;
            Push(new JsonToken(kind, TakeText()), length, output);
        }
        else if (b == (byte)'\\')
        {
            _state = LexState.StringEscape;
        }

        return true;
    }

    private bool StepEscape(byte b, List<QmpInput> output)
    {
        if (b < 0x20 || b >= 0xFE)
        {
            return LexErrorWith(b, output);
        }

        _state = LexState.String;
        return AppendText(b, output);
    }

    private bool StepNumber(byte b, List<QmpInput> output)
    {
        bool digit = b is >= (byte)'0' and <= (byte)'9';
        switch (_number)
        {
            case NumberState.Minus:
                if (!digit)
                {
                    return LexErrorWith(b, output);
                }

                _number = b == (byte)'0' ? NumberState.Zero : NumberState.Integer;
                return AppendText(b, output);
            case NumberState.Zero or NumberState.Integer:
                if (digit && _number == NumberState.Zero)
                {
                    return LexErrorWith(b, output);
                }

                if (digit || b is (byte)'.' or (byte)'e' or (byte)'E')
                {
                    _number = digit ? NumberState.Integer : b == (byte)'.' ? NumberState.Dot : NumberState.Exponent;
                    return AppendText(b, output);
                }

                EmitNumber(JsonTokenKind.Integer, output);
                return false;
            case NumberState.Dot:
                if (!digit)
                {
                    return LexErrorWith(b, output);
                }

                _number = NumberState.Fraction;
                return AppendText(b, output);
            case NumberState.Fraction:
                if (digit || b is (byte)'e' or (byte)'E')
                {
                    _number = digit ? NumberState.Fraction : NumberState.Exponent;
                    return AppendText(b, output);
                }

                EmitNumber(JsonTokenKind.Float, output);
                return false;
            case NumberState.Exponent or NumberState.ExponentSign:
                if (digit || (_number == NumberState.Exponent && b is (byte)'+' or (byte)'-'))
                {
                    _number = digit ? NumberState.ExponentDigits : NumberState.ExponentSign;
                    return AppendText(b, output);
                }

                return LexErrorWith(b, output);
            default:
                if (digit)
                {
                    return AppendText(b, output);
                }

                EmitNumber(JsonTokenKind.Float, output);
                return false;
        }
    }

    private void EmitNumber(JsonTokenKind kind, List<QmpInput> output)
    {
        int length = _text.WrittenCount;
        _state = LexState.Start;
        Push(new JsonToken(kind, TakeText()), length, output);
    }

    /// <summary>A lexical error: the token so far plus the offending byte is reported, then input is skipped to a resync point.</summary>
    private bool LexErrorWith(byte b, List<QmpInput> output)
    {
        string token = TakeText() + (b < 0x80 ? ((char)b).ToString() : "\uFFFD");
        EmitError($"JSON parse error, stray '{token}'", output);
        _state = LexState.Recovery;
        return true;
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
}
