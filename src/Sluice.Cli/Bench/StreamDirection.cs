namespace Sluice.Cli.Bench;

/// <summary>Which way `bench stream` moves bulk data.</summary>
internal enum StreamDirection
{
    /// <summary>Send, and read back whatever the target returns (an echo returns it all).</summary>
    Both,

    /// <summary>Send only; anything the target returns is read and counted, not expected.</summary>
    Up,

    /// <summary>Send nothing; read what the target sends.</summary>
    Down,
}
