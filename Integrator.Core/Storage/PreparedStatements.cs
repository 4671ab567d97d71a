using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Integrator.Core.Storage;

/// <summary>
/// A long-lived SQLite connection whose commands keep their compiled statements between uses. Microsoft.Data.Sqlite
/// compiles the SQL of every new command again (dotnet/efcore#14044) and Dapper makes a new command per call; on the
/// writer connection, which runs the same dozen statements all day, that compiling was a fifth of a first cancel's
/// CPU. Dapper still binds the parameters; a command handed out here is the cached one for its SQL text, and
/// disposing it keeps it. One user at a time, as the writer is.
/// </summary>
[SuppressMessage("Security", "CA2100", Justification = "SQL texts are the constants of the calling code.")]
internal sealed class PreparedStatements(SqliteConnection connection) : DbConnection
{
    /// <summary>Far above the writer's distinct statements; a bound in case SQL text is ever built at run time.</summary>
    private const int MaxStatements = 128;

    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Inner => connection;

    [AllowNull]
    public override string ConnectionString
    {
        get => connection.ConnectionString;
        set => throw new NotSupportedException();
    }

    public override string Database => connection.Database;

    public override string DataSource => connection.DataSource;

    public override string ServerVersion => connection.ServerVersion;

    public override ConnectionState State => connection.State;

    public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();

    public override void Open() => connection.Open();

    public override void Close() => connection.Close();

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => connection.BeginTransaction(isolationLevel);

    protected override DbCommand CreateDbCommand() => new Command(this);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }

            _commands.Clear();
            connection.Dispose();
        }

        base.Dispose(disposing);
    }

    private SqliteCommand For(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            if (_commands.Count == MaxStatements)
            {
                foreach (var old in _commands.Values)
                {
                    old.Dispose();
                }

                _commands.Clear();
            }

            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Parameters.Clear();
        return command;
    }

    /// <summary>What Dapper holds: settings are kept until the SQL text is known, then forwarded to the cached command.</summary>
    private sealed class Command(PreparedStatements owner) : DbCommand
    {
        private SqliteCommand? _inner;
        private DbTransaction? _transaction;
        private int _timeout = 30;

        [AllowNull]
        public override string CommandText
        {
            get => _inner?.CommandText ?? "";
            set
            {
                _inner = owner.For(value ?? "");
                _inner.Transaction = (SqliteTransaction?)_transaction;
                _inner.CommandTimeout = _timeout;
            }
        }

        public override int CommandTimeout
        {
            get => _timeout;
            set
            {
                _timeout = value;
                _inner?.CommandTimeout = value;
            }
        }

        public override CommandType CommandType
        {
            get => CommandType.Text;
            set
            {
                if (value != CommandType.Text)
                {
                    throw new NotSupportedException("SQLite runs text commands only.");
                }
            }
        }

        public override UpdateRowSource UpdatedRowSource { get; set; }

        public override bool DesignTimeVisible { get; set; }

        protected override DbConnection? DbConnection
        {
            get => owner;
            set => throw new NotSupportedException();
        }

        protected override DbParameterCollection DbParameterCollection => Inner.Parameters;

        protected override DbTransaction? DbTransaction
        {
            get => _transaction;
            set
            {
                _transaction = value;
                _inner?.Transaction = (SqliteTransaction?)value;
            }
        }

        private SqliteCommand Inner => _inner ?? throw new InvalidOperationException("Set CommandText first.");

        public override void Cancel() => Inner.Cancel();

        public override int ExecuteNonQuery() => Inner.ExecuteNonQuery();

        public override object? ExecuteScalar() => Inner.ExecuteScalar();

        public override void Prepare() => Inner.Prepare();

        protected override DbParameter CreateDbParameter() => new SqliteParameter();

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Inner.ExecuteReader(behavior);

        protected override void Dispose(bool disposing)
        {
            // The cached command and its compiled statement stay with the connection.
            _inner = null;
            base.Dispose(disposing);
        }
    }
}
