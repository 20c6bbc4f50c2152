namespace Kvm.Qmp.Protocol;

/// <summary>Token kinds of QEMU's JSON lexer (qobject/json-lexer.c), as far as QMP input can produce them.</summary>
internal enum JsonTokenKind : byte
{
    LeftCurly,
    RightCurly,
    LeftSquare,
    RightSquare,
    Colon,
    Comma,
    Integer,
    Float,
    Keyword,
    String,

    /// <summary>A string whose raw bytes are not valid UTF-8: the parser reports it when it reaches it.</summary>
    InvalidUtf8String,
}
