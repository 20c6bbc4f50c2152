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
                ok = true;
                return JsonValue.Create(token.Text!);
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

        // QEMU turns an overflowing literal into inf and then writes the invalid token "inf".
        // We keep the literal as written instead, so the output stays JSON.
        return double.IsFinite(d) ? JsonValue.Create(d) : JsonNode.Parse(text)!;
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

            if (obj.ContainsKey(keyToken.Text!))
            {
                Fail("duplicate key");
                return null;
            }

            obj[keyToken.Text!] = value;
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
                Fail(_position >= _tokens.Count ? "premature EOI" : "expected separator in array");
                return null;
            }

            _position++;
        }
    }

    private readonly bool Peek(JsonTokenKind kind) => _position < _tokens.Count && _tokens[_position].Kind == kind;

    private void Fail(string message) => _error ??= message;
}
