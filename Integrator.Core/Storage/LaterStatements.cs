using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;

namespace Integrator.Core.Storage;

/// <summary>
/// The statements a write holds for later (<see cref="DbTx.ExecuteLater"/>). On PostgreSQL they travel in the text of
/// the write's next command: on the group commit writer's one connection a write costs what its round trips cost, and
/// this makes a first cancel's nine statements four commands (README, "Benchmark"). Each held statement's parameters
/// are renamed (<c>@Now</c> → <c>@l0_Now</c>), so statements using the same names keep their own values.
/// </summary>
internal sealed partial class LaterStatements(bool combines)
{
    /// <summary>Far above the held statements' texts times their positions; a bound in case SQL is ever built at run time.</summary>
    private const int MaxRenamings = 1024;

    private static readonly ConcurrentDictionary<Type, Dictionary<string, PropertyInfo>> PropertiesOf = new();

    private static readonly ConcurrentDictionary<(string Sql, int Position), (string Sql, string[] Names)> Renamings = new();

    private readonly List<(string Sql, object? Param)> _held = [];

    /// <summary>Whether the engine takes several statements, with their parameters, in one command (PostgreSQL).</summary>
    public bool Combines => combines;

    public bool IsEmpty => _held.Count == 0;

    public void Add(string sql, object? param) => _held.Add((sql, param));

    /// <summary>The held statements, no longer held.</summary>
    public List<(string Sql, object? Param)> Take()
    {
        var taken = new List<(string Sql, object? Param)>(_held);
        _held.Clear();
        return taken;
    }

    /// <summary>
    /// One command's text and parameters: the held statements (no longer held), then <paramref name="sql"/> with its
    /// parameters, if any. Where the rows <paramref name="sql"/> changes are counted, each held statement becomes a SELECT
    /// (a statement in a WITH clause runs once, to completion), which the count leaves out; a query reads the first
    /// result set, and a held statement (no RETURNING) gives none, so there it stays as it is.
    /// </summary>
    public (string Sql, DynamicParameters Parameters) Before(string? sql, object? param, bool countsRows)
    {
        var parameters = new DynamicParameters();
        var statements = new List<string>(_held.Count + 1);
        for (var i = 0; i < _held.Count; i++)
        {
            var (heldSql, heldParam) = _held[i];
            var (renamed, names) = RenamedAt(heldSql, i);
            foreach (var name in names)
            {
                parameters.Add($"l{i}_{name}", ValueOf(heldParam, name));
            }

            statements.Add(countsRows ? $"WITH later AS ({renamed}) SELECT 1" : renamed);
        }

        _held.Clear();
        if (sql is not null)
        {
            statements.Add(sql);
            parameters.AddDynamicParams(param);
        }

        return (string.Join(";\n", statements), parameters);
    }

    /// <summary>
    /// The statement with its parameters renamed for its position, and their names; the SQL texts are the features'
    /// constants, so the few combinations are kept rather than rewritten on every write.
    /// </summary>
    private static (string Sql, string[] Names) RenamedAt(string sql, int position)
    {
        if (Renamings.TryGetValue((sql, position), out var known))
        {
            return known;
        }

        var names = new List<string>();
        var renamed = Parameter().Replace(sql, match =>
        {
            names.Add(match.Groups[1].Value);
            return $"@l{position}_{match.Groups[1].Value}";
        });
        var renaming = (renamed, names.Distinct().ToArray());
        if (Renamings.Count < MaxRenamings)
        {
            Renamings.TryAdd((sql, position), renaming);
        }

        return renaming;
    }

    private static object? ValueOf(object? param, string name)
    {
        if (param is IReadOnlyDictionary<string, object?> values)
        {
            return values.TryGetValue(name, out var value) ? value : throw Unbound(name);
        }

        var properties = PropertiesOf.GetOrAdd(
            param?.GetType() ?? throw Unbound(name),
            type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetIndexParameters().Length == 0)
                .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase));
        return properties.TryGetValue(name, out var property) ? property.GetValue(param) : throw Unbound(name);
    }

    private static InvalidOperationException Unbound(string name) =>
        new($"A statement held for later uses @{name}, which its parameters do not have.");

    [GeneratedRegex("@([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Parameter();
}
