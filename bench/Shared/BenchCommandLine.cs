using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Kvm.Bench;

/// <summary>
/// What the bench programs' command lines share (System.CommandLine): counts and durations that must be positive,
/// and parsing into the program's options, or into the status of printing help or the errors.
/// </summary>
internal static class BenchCommandLine
{
    /// <summary>An option for a positive whole number, with its default.</summary>
    public static Option<int> Count(string name, int defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = Token(result);
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0)
            {
                return value;
            }

            result.AddError($"{name} wants a positive whole number, not '{text}'");
            return 0;
        },
    };

    /// <summary>An option for a positive, finite number of seconds, with its default.</summary>
    public static Option<double> Seconds(string name, double defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = Token(result);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && !double.IsInfinity(value))
            {
                return value;
            }

            result.AddError($"{name} wants a positive number of seconds, not '{text}'");
            return 0;
        },
    };

    /// <summary>
    /// The options the arguments give, or null when there is nothing to run: help was asked for (status 0) or the
    /// arguments are wrong (the errors and the usage are printed; status 1).
    /// </summary>
    public static T? Parse<T>(RootCommand root, string[] args, Func<ParseResult, T> read, out int exitCode)
        where T : class
    {
        T? options = null;
        root.SetAction(parse =>
        {
            options = read(parse);
            return 0;
        });
        exitCode = root.Parse(args).Invoke();
        return options;
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
}
