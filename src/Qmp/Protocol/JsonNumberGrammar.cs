namespace Kvm.Qmp.Protocol;

/// <summary>RFC 8259 number grammar: <c>-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?</c>.</summary>
internal static class JsonNumberGrammar
{
    public static bool TryClassify(ReadOnlySpan<byte> text, out bool isInteger)
    {
        isInteger = true;
        int i = 0;
        if (i < text.Length && text[i] == (byte)'-')
        {
            i++;
        }

        if (i >= text.Length || !IsDigit(text[i]))
        {
            return false;
        }

        if (text[i] == (byte)'0')
        {
            i++;
        }
        else
        {
            while (i < text.Length && IsDigit(text[i]))
            {
                i++;
            }
        }

        if (i < text.Length && text[i] == (byte)'.')
        {
            isInteger = false;
            i++;
            if (!SkipDigits(text, ref i))
            {
                return false;
            }
        }

        if (i < text.Length && text[i] is (byte)'e' or (byte)'E')
        {
            isInteger = false;
            i++;
            if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            if (!SkipDigits(text, ref i))
            {
                return false;
            }
        }

        return i == text.Length;
    }

    private static bool SkipDigits(ReadOnlySpan<byte> text, ref int i)
    {
        int start = i;
        while (i < text.Length && IsDigit(text[i]))
        {
            i++;
        }

        return i > start;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}
