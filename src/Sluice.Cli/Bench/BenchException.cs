namespace Sluice.Cli.Bench;

/// <summary>A run that cannot start or cannot continue (unreachable target, bad arguments); the message is shown as is.</summary>
internal sealed class BenchException : Exception
{
    public BenchException(string message)
        : base(message)
    {
    }

    public BenchException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
