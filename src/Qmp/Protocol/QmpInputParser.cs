using System.Buffers;
using System.Text;
using NLog;

namespace Kvm.Qmp.Protocol;

/// <summary>
/// Streaming splitter for monitor input, behaving as QEMU's json-lexer + json-streamer: input is not
/// line based; a message ends when its outermost brace or bracket closes (or at once for a scalar),
/// so pipelined and split writes both work. Lexical errors, bounds and parse errors produce QEMU's
/// error descriptions, and parsing resumes with the next message.
/// </summary>
public sealed partial class QmpInputParser
{
    private static readonly Logger s_log = LogManager.GetCurrentClassLogger();

    private readonly QmpInputLimits _limits;
    private readonly List<JsonToken> _tokens = [];
    private readonly ArrayBufferWriter<byte> _text = new(64);
    private int _braces;
    private int _brackets;
    private long _tokenBytes;

    public QmpInputParser()
        : this(QmpInputLimits.Default)
    {
    }

    public QmpInputParser(QmpInputLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limits.MaxNesting, QmpInputLimits.Default.MaxNesting * 2 - 2, nameof(limits));
        _limits = limits;
    }

    /// <summary>True when part of a message is buffered (QEMU answers nothing until it completes).</summary>
    public bool HasPartialMessage => _tokens.Count > 0 || _state is not (LexState.Start or LexState.Recovery);

    /// <summary>Feeds bytes; every message or error completed by them is appended to <paramref name="output"/>.</summary>
    public void Append(ReadOnlySpan<byte> data, List<QmpInput> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (byte b in data)
        {
            while (!Step(b, output))
            {
                // The byte ended a number or keyword and is looked at again in the start state.
            }
        }
    }

    private void Push(JsonToken token, int length, List<QmpInput> output)
    {
        switch (token.Kind)
        {
            case JsonTokenKind.LeftCurly: _braces++; break;
            case JsonTokenKind.RightCurly: _braces--; break;
            case JsonTokenKind.LeftSquare: _brackets++; break;
            case JsonTokenKind.RightSquare: _brackets--; break;
        }

        if (_tokenBytes + length + 1 > _limits.MaxMessageBytes)
        {
            EmitError("JSON token size limit exceeded", output);
            return;
        }

        if (_tokens.Count + 1 > _limits.MaxTokens)
        {
            EmitError("JSON token count limit exceeded", output);
            return;
        }

        if (_braces + _brackets > _limits.MaxNesting)
        {
            EmitError("JSON nesting depth limit exceeded", output);
            return;
        }

        _tokens.Add(token);
        _tokenBytes += length;
        if ((_braces > 0 || _brackets > 0) && _braces >= 0 && _brackets >= 0)
        {
            return;
        }

        output.Add(JsonTokenParser.Parse(_tokens));
        ResetMessage();
    }

    private void EmitError(string desc, List<QmpInput> output)
    {
        s_log.Debug("Input rejected: {Desc}", desc);
        output.Add(new QmpInput(null, desc));
        ResetMessage();
    }

    private void ResetMessage()
    {
        _tokens.Clear();
        _braces = 0;
        _brackets = 0;
        _tokenBytes = 0;
    }

    private string TakeText()
    {
        string text = Encoding.UTF8.GetString(_text.WrittenSpan);
        _text.ResetWrittenCount();
        return text;
    }
}
