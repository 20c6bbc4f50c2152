using System.Globalization;
using System.Text.Json.Nodes;

namespace Kvm.Qmp.Protocol;

/// <summary>
/// Recursive-descent parser over the tokens of one message (QEMU qobject/json-parser.c semantics):
/// single-quoted strings allowed, duplicate keys rejected, the first error wins.
/// </summary>
internal ref struct JsonTokenParser
{
    private const string Prefix = "JSON parse error, ";

    private readonly List<JsonToken> _tokens;
    private int _position;
    private string? _error;

    private JsonTokenParser(List<JsonToken> tokens)
    {
        _tokens = tokens;
    }

    public static QmpInput Parse(List<JsonToken> tokens)
    {
        var parser = new JsonTokenParser(tokens);
        JsonNode? value = parser.ParseValue(out bool ok);
        if (!ok)
        {
            return new QmpInput(null, Prefix + parser._error);
        }

        return new QmpInput(value, null);
    }

    private JsonNode? ParseValue(out bool ok)
    {
        ok = false;
        if (_position >= _tokens.Count)
        {
            Fail("premature EOI");
            return null;
        }

        JsonToken token = _tokens[_position];
        switch (token.Kind)
        {
            case JsonTokenKind.LeftCurly:
                _position++;
                return ParseObject(out ok);
            case JsonTokenKind.LeftSquare:
                _position++;
                return ParseArray(out ok);
            case JsonTokenKind.String:
                _position++;
                if (!TryDecodeString(token.Text!, out string? text))
                {
                    return null;
                }

                ok = true;
                return JsonValue.Create(text);
            case JsonTokenKind.InvalidUtf8String:
                _position++;
                Fail("invalid UTF-8 sequence in string");
                return null;
            case JsonTokenKind.Integer:
            case JsonTokenKind.Float:
                _position++;
                ok = true;
                return ParseNumber(token);
            case JsonTokenKind.Keyword:
                _position++;
                switch (token.Text)
                {
                    case "true": ok = true; return JsonValue.Create(true);
                    case "false": ok = true; return JsonValue.Create(false);
                    case "null": ok = true; return null;
                    default: Fail($"invalid keyword '{token.Text}'"); return null;
                }

            default:
                Fail("expecting value");
                return null;
        }
    }

    private static JsonNode ParseNumber(JsonToken token)
    {
        string text = token.Text!;
        if (token.Kind == JsonTokenKind.Integer)
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
            {
                return JsonValue.Create(l);
            }

            if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong u))
            {
                return JsonValue.Create(u);
            }
        }

        double d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

        // QEMU writes doubles with %.17g (0.1 comes back as 0.10000000000000001), so the node keeps
        // that text. An overflowing literal becomes inf in QEMU, which it then writes as the invalid
        // token "inf"; we keep the literal as written instead, so the output stays JSON.
        return JsonNode.Parse(double.IsFinite(d) ? d.ToString("G17", CultureInfo.InvariantCulture) : text)!;
    }

    private JsonObject? ParseObject(out bool ok)
    {
        ok = false;
        var obj = new JsonObject();
        if (Peek(JsonTokenKind.RightCurly))
        {
            _position++;
            ok = true;
            return obj;
        }

        while (true)
        {
            if (_position >= _tokens.Count)
            {
                Fail("premature EOI");
                return null;
            }

            JsonToken keyToken = _tokens[_position];
            if (keyToken.Kind != JsonTokenKind.String)
            {
                ParseValue(out _);
                Fail("key is not a string in object");
                return null;
            }

            _position++;
            if (!TryDecodeString(keyToken.Text!, out string? key))
            {
                return null;
            }

            if (!Peek(JsonTokenKind.Colon))
            {
                Fail("missing : in object pair");
                return null;
            }

            _position++;
            JsonNode? value = ParseValue(out bool valueOk);
            if (!valueOk)
            {
                return null;
            }

            if (obj.ContainsKey(key))
            {
                Fail("duplicate key");
                return null;
            }

            obj[key] = value;
            if (Peek(JsonTokenKind.RightCurly))
            {
                _position++;
                ok = true;
                return obj;
            }

            if (!Peek(JsonTokenKind.Comma))
            {
                Fail(_position >= _tokens.Count ? "premature EOI" : "expected separator in dict");
                return null;
            }

            _position++;
        }
    }

    private JsonArray? ParseArray(out bool ok)
    {
        ok = false;
        var array = new JsonArray();
        if (Peek(JsonTokenKind.RightSquare))
        {
            _position++;
            ok = true;
            return array;
        }

        while (true)
        {
            JsonNode? value = ParseValue(out bool valueOk);
            if (!valueOk)
            {
                return null;
            }

            array.Add(value);
            if (Peek(JsonTokenKind.RightSquare))
            {
                _position++;
                ok = true;
                return array;
            }

            if (!Peek(JsonTokenKind.Comma))
            {
                Fail(_position >= _tokens.Count ? "premature EOI" : "expected separator in list");
                return null;
            }

            _position++;
        }
    }

    /// <summary>Decodes a raw string token (quotes and escapes included) with QEMU's messages for bad escapes.</summary>
    private bool TryDecodeString(string raw, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = null;
        var builder = new System.Text.StringBuilder(raw.Length);
        for (int i = 1; i < raw.Length - 1; i++)
        {
            char c = raw[i];
            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            int begin = i;
            char escape = raw[++i];
            switch (escape)
            {
                case '"' or '\'' or '\\' or '/': builder.Append(escape); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    int cp = Hex4(raw, i + 1);
                    i += 4;
                    if (cp is >= 0xD800 and <= 0xDBFF && i + 6 < raw.Length && raw[i + 1] == '\\' && raw[i + 2] == 'u')
                    {
                        int trailing = Hex4(raw, i + 3);
                        if (trailing is >= 0xDC00 and <= 0xDFFF)
                        {
                            cp = 0x10000 + ((cp & 0x3FF) << 10) + (trailing & 0x3FF);
                            i += 6;
                        }
                    }

                    if (cp is < 0 or (>= 0xD800 and <= 0xDFFF))
                    {
                        // QEMU prints the escape as far as it read it (at most up to the token's end).
                        Fail($"{raw.AsSpan(begin, Math.Min(i + 1, raw.Length) - begin)} is not a valid Unicode character");
                        return false;
                    }

                    builder.Append(char.ConvertFromUtf32(cp));
                    break;
                default:
                    Fail("invalid escape sequence in string");
                    return false;
            }
        }

        value = builder.ToString();
        return true;
    }

    /// <summary>Four hex digits at <paramref name="start"/> (inside the quotes), or -1.</summary>
    private static int Hex4(string raw, int start) =>
        start + 4 <= raw.Length - 1 && int.TryParse(raw.AsSpan(start, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value)
            ? value
            : -1;

    private readonly bool Peek(JsonTokenKind kind) => _position < _tokens.Count && _tokens[_position].Kind == kind;

    private void Fail(string message) => _error ??= message;
}
