using System.Data.Common;
using Dapper;
using Integrator.Core.Idempotency;
using Integrator.Core.Reservations;
using Integrator.Core.Storage;
using Integrator.Core.Support;
using Integrator.Tests.Infrastructure;
using Integrator.Tests.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace Integrator.Tests.Storage;

/// <summary>
/// One body of storage, idempotency and outbox tests, run on every engine (README "Storage engines"; SQLite always, PostgreSQL and
/// SQL Server when configured). Servers sharing a database are separate instances: nothing but the database keeps
/// them apart.
/// </summary>
[TestFixtureSource(typeof(StorageTarget), nameof(StorageTarget.All))]
public sealed class StorageConformanceTests(StorageTarget target)
{
    private const string InsertRecord = """
        INSERT INTO idempotency_records (payment_integrator_account_id, request_id, method, fingerprint, response_body, created_at)
        VALUES (@Piaid, @RequestId, 'm', 'f', 'b', @CreatedAt)
        """;

    private IntegratorApp _app = null!;

    /// <summary>A record made now: the retention purger, which runs as the app starts, leaves it alone.</summary>
    private object Record(string piaid, string requestId) => new { Piaid = piaid, RequestId = requestId, CreatedAt = _app.Clock.GetUtcNow() };

    [OneTimeSetUp]
    public void Start()
    {
        target.IgnoreIfUnconfigured();
        _app = IntegratorApp.Start(storage: target);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Test]
    public async Task MigrationsAreJournaledAndSafeToRunAgain()
    {
        var scripts = Migrator.Scripts(target.Provider);
        await _app.Services.GetRequiredService<Migrator>().MigrateAsync(CancellationToken.None);
        foreach (var script in scripts)
        {
            // A half-applied environment can be repaired: every script runs again without error.
            await _app.ExecuteAsync(script.Sql);
        }

        var journal = await _app.QueryAsync<(long Version, string Name)>("SELECT version, name FROM schema_migrations ORDER BY version");
        Assert.That(journal.Select(j => j.Name), Is.EqualTo(scripts.Select(s => s.Name)));
    }

    /// <summary>A write started inside another write's work would wait for the outer one forever (on SQLite): refused at once.</summary>
    [Test]
    public async Task AWriteInsideAWriteFailsLoudlyInsteadOfHanging()
    {
        var database = _app.Services.GetRequiredService<Database>();
        var nested = database.WriteAsync(async (_, token) => await database.ExecuteAsync("SELECT 1", null, token), CancellationToken.None);

        var finished = await Task.WhenAny(nested, Task.Delay(TimeSpan.FromSeconds(10)));

        Assert.That(finished, Is.SameAs(nested), "it fails at once, it does not hang");
        Assert.That(async () => await nested, Throws.InvalidOperationException.With.Message.Contains("never start a write inside a write"));
        Assert.That(await database.ExecuteAsync("UPDATE schema_migrations SET name = name WHERE version = 1", null, CancellationToken.None), Is.EqualTo(1), "the database still writes");
    }

    /// <summary>
    /// Concurrent writes share commits (group commit on SQLite and PostgreSQL): in any batch a write that throws or asks
    /// to roll back loses exactly its own rows, whatever wrote before or after it in the same transaction.
    /// </summary>
    [Test]
    public async Task AWriteThatFailsOrRollsBackLosesOnlyItsOwnRowsAmongConcurrentWrites()
    {
        var database = _app.Services.GetRequiredService<Database>();
        var prefix = GspMessages.NewId("batch");
        var writes = Enumerable.Range(0, 120).Select(i => database.WriteAsync<int>(
            async (tx, ct) =>
            {
                await tx.ExecuteAsync(InsertRecord, Record("batch", $"{prefix}-{i}"), ct);
                return (i % 3) switch
                {
                    0 => Write.Commit(i),
                    1 => Write.RollBack(i),
                    _ => throw new InvalidOperationException($"write {i} fails after its insert"),
                };
            },
            CancellationToken.None)).ToList();

        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                return await w;
            }
            catch (InvalidOperationException)
            {
                return -1;
            }
        }));

        var kept = await _app.QueryAsync<string>("SELECT request_id FROM idempotency_records WHERE payment_integrator_account_id = 'batch'");
        Assert.Multiple(() =>
        {
            Assert.That(outcomes.Count(o => o == -1), Is.EqualTo(40), "every failing write failed, and only those");
            Assert.That(kept.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(), Is.EqualTo(Enumerable.Range(0, 120).Where(i => i % 3 == 0).Select(i => $"{prefix}-{i}").Order()));
        });
    }

    /// <summary>
    /// Statements held for later (<see cref="DbTx.ExecuteLater"/>; on PostgreSQL sent in the text of the write's next
    /// command) run in order before what follows them, each with its own parameters, leave the rows a later statement
    /// counts as its own, and a failure among them fails their write only, whether it surfaces from the next statement
    /// or when the work ends, among concurrent writes sharing a commit.
    /// </summary>
    [Test]
    public async Task StatementsHeldForLaterRunInOrderAndFailOnlyTheirWrite()
    {
        var database = _app.Services.GetRequiredService<Database>();
        var prefix = GspMessages.NewId("held");
        var taken = $"{prefix}-taken";
        await database.ExecuteAsync(InsertRecord, Record("held", taken), CancellationToken.None);
        var writes = Enumerable.Range(0, 120).Select(i => database.WriteAsync<string?>(
            async (tx, ct) =>
            {
                tx.ExecuteLater(InsertRecord, Record("held", $"{prefix}-{i}"));
                switch (i % 4)
                {
                    case 0:
                        tx.ExecuteLater(InsertRecord, Record("held", $"{prefix}-{i}-second"));
                        return Write.Commit<string?>("kept");
                    case 1:
                        tx.ExecuteLater(InsertRecord, Record("held", taken));
                        return Write.Commit<string?>("fails when the work ends");
                    case 2:
                        var counted = await tx.ExecuteAsync(
                            "UPDATE idempotency_records SET fingerprint = 'g' WHERE payment_integrator_account_id = 'held' AND request_id = @RequestId",
                            new { RequestId = $"{prefix}-{i}" },
                            ct);
                        tx.ExecuteLater(InsertRecord, Record("held", $"{prefix}-{i}-second"));
                        var read = await tx.QuerySingleOrDefaultAsync<string>(
                            "SELECT fingerprint FROM idempotency_records WHERE payment_integrator_account_id = 'held' AND request_id = @RequestId",
                            new { RequestId = $"{prefix}-{i}-second" },
                            ct);
                        return Write.Commit<string?>($"counted {counted}, read {read}");
                    default:
                        tx.ExecuteLater(InsertRecord, Record("held", taken));
                        return Write.Commit(await tx.QuerySingleOrDefaultAsync<string>("SELECT 'fails at this read'", null, ct));
                }
            },
            CancellationToken.None)).ToList();

        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                return await w;
            }
            catch (Exception e) when (database.Classify(e) == StorageFault.DuplicateKey)
            {
                return "duplicate";
            }
        }));

        var kept = (await _app.QueryAsync<(string RequestId, string Fingerprint)>(
                "SELECT request_id, fingerprint FROM idempotency_records WHERE payment_integrator_account_id = 'held' AND request_id <> @taken", new { taken }))
            .Where(k => k.RequestId.StartsWith(prefix, StringComparison.Ordinal));
        var expected = Enumerable.Range(0, 120).Where(i => i % 2 == 0).SelectMany(i => i % 4 == 0
            ? new[] { ($"{prefix}-{i}", "f"), ($"{prefix}-{i}-second", "f") }
            : [($"{prefix}-{i}", "g"), ($"{prefix}-{i}-second", "f")]);
        Assert.Multiple(() =>
        {
            Assert.That(
                outcomes,
                Is.EqualTo(Enumerable.Range(0, 120).Select(i => (i % 4) switch { 0 => "kept", 2 => "counted 1, read f", _ => "duplicate" })));
            Assert.That(kept.Order(), Is.EqualTo(expected.Order()));
        });
    }

    /// <summary>
    /// A write the engine aborts as a deadlock's victim is run again (bounded) instead of failing its caller: here a
    /// transaction outside Integrator takes two rows in the opposite order of a write through Storage.
    /// </summary>
    [Test]
    public async Task AWriteChosenAsADeadlockVictimIsRunAgain()
    {
        if (target.Provider == StorageProvider.Sqlite)
        {
            Assert.Ignore("SQLite has one writer: its transactions never deadlock.");
        }

        const string Take = "UPDATE idempotency_records SET fingerprint = @By WHERE payment_integrator_account_id = 'deadlock' AND request_id = @RequestId";
        var database = _app.Services.GetRequiredService<Database>();
        var (x, y) = (GspMessages.NewId("x"), GspMessages.NewId("y"));
        await database.ExecuteAsync(InsertRecord, Record("deadlock", x), CancellationToken.None);
        await database.ExecuteAsync(InsertRecord, Record("deadlock", y), CancellationToken.None);
        await using var other = await database.OpenAsync(CancellationToken.None);
        if (target.Provider == StorageProvider.SqlServer)
        {
            await other.ExecuteAsync("SET DEADLOCK_PRIORITY HIGH");
        }

        await using var otherTx = await other.BeginTransactionAsync();
        await other.ExecuteAsync(Take, new { By = "other", RequestId = y }, otherTx);

        var holdsX = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var otherHoldsX = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = 0;
        var write = database.WriteAsync(
            async (tx, ct) =>
            {
                if (++attempts > 1)
                {
                    // Run again once the other transaction has the row the victim let go of, not racing it for that row.
                    await otherHoldsX.Task;
                }

                await tx.ExecuteAsync(Take, new { By = "write", RequestId = x }, ct);
                holdsX.TrySetResult();
                await tx.ExecuteAsync(Take, new { By = "write", RequestId = y }, ct);
            },
            CancellationToken.None);
        await holdsX.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Once the write waits for y, the other transaction asks for x: the write waited first, so its deadlock check
        // (PostgreSQL's deadlock_timeout) comes first and it is the victim.
        var waiting = target.Provider == StorageProvider.Postgres
            ? "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%payment_integrator_account_id = ''deadlock''%'"
            : "SELECT COUNT(*) FROM sys.dm_tran_locks WHERE request_status = 'WAIT'";
        for (var polls = 0; await other.ExecuteScalarAsync<long>(waiting, transaction: otherTx) == 0 && polls < 250; polls++)
        {
            await Task.Delay(20);
        }

        await other.ExecuteAsync(Take, new { By = "other", RequestId = x }, otherTx);
        otherHoldsX.SetResult();
        await otherTx.CommitAsync();
        await write.WaitAsync(TimeSpan.FromSeconds(10));

        var rows = await _app.QueryAsync<string>(
            "SELECT fingerprint FROM idempotency_records WHERE payment_integrator_account_id = 'deadlock' AND request_id IN (@x, @y)", new { x, y });
        Assert.Multiple(() =>
        {
            Assert.That(attempts, Is.EqualTo(2), "run again once, after the deadlock");
            Assert.That(rows, Is.EqualTo(new[] { "write", "write" }), "the write ran after the other transaction, whole");
        });
    }

    /// <summary>
    /// On PostgreSQL the batches of every instance take turns (a session-level lock, given back before each commit): a
    /// batch that fails gives its turn back too, instead of keeping it on the writer's connection back in the pool, where
    /// every other instance's batches would wait for it until they time out.
    /// </summary>
    [Test]
    public async Task AFailedBatchGivesBackItsTurnAmongInstances()
    {
        if (target.Provider != StorageProvider.Postgres)
        {
            Assert.Ignore("Batches of several instances take turns on PostgreSQL only.");
        }

        var database = _app.Services.GetRequiredService<Database>();
        var failed = database.WriteAsync<int>(
            async (tx, ct) =>
            {
                // Ends the batch's transaction under the writer: its savepoint cannot be rolled back, the batch fails.
                await tx.ExecuteAsync("ROLLBACK", null, ct);
                throw new InvalidOperationException("the batch's transaction is gone");
            },
            CancellationToken.None);
        Assert.That(async () => await failed, Throws.Exception);

        // Another instance's batch: its own session (a pool of its own), waiting at most 3 s for the turn.
        await using var other = new Npgsql.NpgsqlConnection(target.AdminConnectionString + ";Application Name=other-instance");
        await other.OpenAsync();
        await other.ExecuteAsync("SET lock_timeout = 3000");
        Assert.That(async () => await other.ExecuteAsync("SELECT pg_advisory_lock(x'6261746368'::bigint)"), Throws.Nothing, "the failed batch's turn was given back");
        await other.ExecuteAsync("SELECT pg_advisory_unlock(x'6261746368'::bigint)");
        Assert.That(await database.ExecuteAsync("UPDATE schema_migrations SET name = name WHERE version = 1", null, CancellationToken.None), Is.EqualTo(1), "the writer still writes");
    }

    /// <summary>A cancel has one result: queued again (its request run after its idempotency record was purged), the first row stays the one.</summary>
    [Test]
    public async Task ACancelResultQueuedTwiceIsOneNotification()
    {
        var (reserveId, cancelId) = (GspMessages.NewId("reserve"), GspMessages.NewId("cancel"));
        (await _app.PostAsync("reserveFunds", GspMessages.Reserve(reserveId, _app.Clock.NowMillis))).AssertStatus(200);
        (await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(cancelId, _app.Clock.NowMillis, reserveId))).AssertStatus(200);
        var (notificationId, reservationId) = (await _app.QueryAsync<(string, string)>(
            "SELECT notification_id, reservation_id FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId })).Single();
        var database = _app.Services.GetRequiredService<Database>();
        var outbox = _app.Services.GetRequiredService<Integrator.Core.Notifications.NotificationOutbox>();

        await database.WriteAsync(
            (tx, _) =>
            {
                outbox.EnqueueCancelResult(tx, GspMessages.AccountId, cancelId, reservationId, DateTimeOffset.UtcNow);
                return Task.CompletedTask;
            },
            CancellationToken.None);

        var queued = await _app.QueryAsync<string>("SELECT notification_id FROM outbox WHERE cancel_request_id = @cancelId", new { cancelId });
        Assert.That(queued, Is.EqualTo(new[] { notificationId }));
    }

    [Test]
    public async Task ADuplicateKeyIsRecognised()
    {
        var database = _app.Services.GetRequiredService<Database>();
        var requestId = GspMessages.NewId("dup");
        await database.ExecuteAsync(InsertRecord, Record("conformance", requestId), CancellationToken.None);

        var duplicate = await Assert.CatchAsync(() => database.ExecuteAsync(InsertRecord, Record("conformance", requestId), CancellationToken.None));

        Assert.That(database.Classify(duplicate!), Is.EqualTo(StorageFault.DuplicateKey), duplicate!.ToString());
    }

    [Test]
    public async Task IdentifiersAreCaseSensitive()
    {
        var reservation = await _app.ReserveAsync();
        var cancel = await _app.PostAsync("cancelFundsReservation", GspMessages.Cancel(GspMessages.NewId("c"), _app.Clock.NowMillis, reservation.ToUpperInvariant()));
        cancel.AssertError(404, "INVALID_IDENTIFIER");
    }

    [Test]
    public async Task ReplayIsIdenticalAndAnotherRequestUnderTheKeyIs412()
    {
        var reservation = await _app.ReserveAsync();
        var cancel = GspMessages.Cancel(GspMessages.NewId("cancel"), _app.Clock.NowMillis, reservation);

        var first = await _app.PostAsync("cancelFundsReservation", cancel);
        var replay = await _app.PostAsync("cancelFundsReservation", cancel);
        cancel["reserveFundsRequestId"] = await _app.ReserveAsync();
        var mismatch = await _app.PostAsync("cancelFundsReservation", cancel);

        Assert.That(replay.Raw, Is.EqualTo(first.Raw));
        mismatch.AssertError(412, "IDEMPOTENCY_VIOLATION");
    }

    [Test]
    public async Task DuplicatesSplitAcrossTwoInstancesExecuteOnce()
    {
        await using var second = IntegratorApp.Start(shareWith: _app);
        var reservation = await _app.ReserveAsync(amountMicros: 2_000_000);
        var requestId = GspMessages.NewId("cancel");
        var body = GspMessages.Cancel(requestId, _app.Clock.NowMillis, reservation);

        var results = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(i => (i % 2 == 0 ? _app : second).PostAsync("cancelFundsReservation", body.DeepClone())));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(results.Select(r => r.Status), Is.All.EqualTo(200), string.Join("\n", results.Select(r => r.Raw).Distinct()));
            Assert.That(results.Select(r => r.Raw).Distinct().Count(), Is.LessThanOrEqualTo(50));
            Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM reservation_events WHERE to_state = 'CANCELLED' AND request_id = @requestId", new { requestId }), Is.EqualTo(1));
            Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE cancel_request_id = @requestId", new { requestId }), Is.EqualTo(1));
            Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM request_journal WHERE request_id = @requestId AND outcome = 'EXECUTED'", new { requestId }), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task TwentyRacingPartialRefundsOfOneCaptureTakeExactlyWhatItHad()
    {
        await using var second = IntegratorApp.Start(shareWith: _app);
        var capture = await _app.CaptureAsync(10_000_000);
        var capturedBefore = await _app.ScalarAsync<long>("SELECT captured_micros FROM accounts WHERE account_id = 'acct-rich'");

        // 20 × 0.7 = 14 units against a capture of 10: exactly 14 fit.
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? _app : second).PostAsync(
            "refund", GspMessages.Refund(GspMessages.NewId("refund"), _app.Clock.NowMillis, capture, 700_000))));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(results.Count(r => r.Status == 200 && r.Field("result") == "SUCCESS"), Is.EqualTo(14), string.Join("\n", results.Select(r => r.Raw).Distinct()));
            Assert.That(results.Where(r => r.Status != 200).Select(r => r.ErrorCode).ToList(), Has.Count.EqualTo(6).And.All.EqualTo("PRECONDITION_VIOLATION"));
            Assert.That(await _app.ScalarAsync<long>("SELECT refunded_micros FROM captures WHERE capture_request_id = @capture", new { capture }), Is.EqualTo(9_800_000));
            Assert.That(await _app.ScalarAsync<long>("SELECT COUNT(*) FROM refunds f JOIN captures c ON c.capture_id = f.capture_id WHERE c.capture_request_id = @capture", new { capture }), Is.EqualTo(14));
            Assert.That(await _app.ScalarAsync<long>("SELECT captured_micros FROM accounts WHERE account_id = 'acct-rich'"), Is.EqualTo(capturedBefore - 9_800_000));
        });
    }

    [Test]
    public async Task ConcurrentReservesOnTwoInstancesNeverOverdraw()
    {
        await using var app = IntegratorApp.Start(storage: target);
        await using var second = IntegratorApp.Start(shareWith: app);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            (i % 2 == 0 ? app : second).PostAsync("reserveFunds", GspMessages.Reserve(GspMessages.NewId("r"), app.Clock.NowMillis, 1_000_000, "tok-poor"))));

        Assert.That(results.Count(r => r.Field("result") == "SUCCESS"), Is.EqualTo(5), string.Join("\n", results.Select(r => r.Raw)));
        Assert.That(await app.ScalarAsync<long>("SELECT held_micros FROM accounts WHERE account_id = 'acct-poor'"), Is.EqualTo(5_000_000));
    }

    [Test]
    public async Task AConcurrentDuplicateWaitsOnTheKeyBoundedThenTheRetryReplays()
    {
        await using var app = IntegratorApp.Start(
            new Dictionary<string, string?> { ["Storage:LockTimeout"] = "00:00:00.500" }, storage: target);
        var reservation = await app.ReserveAsync();
        var requestId = GspMessages.NewId("cancel");
        var cancel = GspMessages.Cancel(requestId, app.Clock.NowMillis, reservation);

        GspResult blocked;
        // Another instance's transaction holds this key: inserted, not committed.
        await using (var other = await OpenRawAsync(app))
        await using (var transaction = await other.BeginTransactionAsync())
        {
            await other.ExecuteAsync(
                "INSERT INTO idempotency_records (payment_integrator_account_id, request_id, method, fingerprint, response_body, created_at) VALUES (@AccountId, @RequestId, 'x', 'x', '', 0)",
                new { AccountId = GspMessages.AccountId, RequestId = requestId },
                transaction);
            blocked = await app.PostAsync("cancelFundsReservation", cancel);
        }

        // Server engines wait on the key itself (409: a concurrent duplicate); SQLite has one writer lock for the file (503).
        Assert.That(blocked.Status, Is.EqualTo(target.Provider == StorageProvider.Sqlite ? 503 : 409), blocked.Raw);
        var retry = await app.PostAsync("cancelFundsReservation", cancel);
        retry.AssertStatus(200);
        Assert.That(await app.ScalarAsync<string>("SELECT state FROM reservations WHERE reserve_request_id = @reservation", new { reservation }), Is.EqualTo("CANCELLED"));
    }

    [Test]
    public async Task ErrorsAreNotRemembered()
    {
        var reserveRequestId = GspMessages.NewId("late");
        var cancel = GspMessages.Cancel(GspMessages.NewId("cancel"), _app.Clock.NowMillis, reserveRequestId);
        (await _app.PostAsync("cancelFundsReservation", cancel)).AssertError(404, "INVALID_IDENTIFIER");
        (await _app.PostAsync("reserveFunds", GspMessages.Reserve(reserveRequestId, _app.Clock.NowMillis))).AssertStatus(200);
        (await _app.PostAsync("cancelFundsReservation", cancel)).AssertStatus(200);
    }

    [Test]
    public async Task TwoDispatchersDeliverEachRowOnceAndTakeOverExpiredLeases()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var writer = IntegratorApp.Start(storage: target);
        var cancels = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            cancels.Add(await writer.ReserveAndCancelAsync());
        }

        await writer.ExecuteAsync(
            "UPDATE outbox SET lease_owner = 'dead-host:1:deadbeef', lease_expires_at = @until WHERE cancel_request_id = @cancelId",
            new { until = writer.Clock.NowMillis + 60_000, cancelId = cancels[0] });
        var settings = NotificationDeliveryTests.Delivering(google);
        settings["Notifications:BatchSize"] = "4";
        await using var first = IntegratorApp.Start(settings, shareWith: writer);
        await using var second = IntegratorApp.Start(settings, shareWith: writer);

        await Eventually.TrueAsync(
            async () => await writer.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE status = 'DELIVERED'") == 59,
            "59 delivered; one still leased by a dead dispatcher", TimeSpan.FromSeconds(60));
        first.Clock.Advance(TimeSpan.FromMinutes(2));
        second.Clock.Advance(TimeSpan.FromMinutes(2));
        await Eventually.TrueAsync(
            async () => await writer.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE status = 'DELIVERED'") == 60,
            "the expired lease was taken over");

        await Task.Delay(300);
        Assert.That(google.Received.Select(r => r.Notification!.CancelFundsReservationRequestId), Is.EquivalentTo(cancels), "each row once");
    }

    [Test]
    public async Task SweeperExpiresAndReleasesInBatches()
    {
        await using var app = IntegratorApp.Start(
            new Dictionary<string, string?> { ["Reservations:Lifetime"] = "00:01:00", ["Reservations:SweepBatchSize"] = "3" }, storage: target);
        for (var i = 0; i < 7; i++)
        {
            await app.ReserveAsync(1_000_000);
        }

        app.Clock.Advance(TimeSpan.FromMinutes(2));
        var expired = await app.Services.GetRequiredService<ExpirySweeper>().SweepOnceAsync(CancellationToken.None);

        Assert.That(expired, Is.EqualTo(7));
        Assert.That(await app.ScalarAsync<long>("SELECT held_micros FROM accounts WHERE account_id = 'acct-rich'"), Is.Zero);
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM reservations WHERE state = 'EXPIRED'"), Is.EqualTo(7));
    }

    [Test]
    public async Task RetentionPurgesInBatches()
    {
        await using var app = IntegratorApp.Start(storage: target);
        for (var i = 0; i < 3; i++)
        {
            await app.ReserveAndCancelAsync();
        }

        app.Clock.Advance(TimeSpan.FromDays(31));
        var purged = await app.Services.GetRequiredService<RetentionPurger>().PurgeOnceAsync(CancellationToken.None);

        Assert.That(purged, Is.EqualTo(12), "6 idempotency records and their 6 journal entries");
        Assert.That(await app.ScalarAsync<long>("SELECT COUNT(*) FROM idempotency_records"), Is.Zero);
    }

    [Test]
    public async Task TheSeedIsUpsertedOnRestartAndCapturesStay()
    {
        await using var app = IntegratorApp.Start(storage: target);
        var reservation = await app.ReserveAsync(amountMicros: 1_000_000, token: "tok-limited");
        (await app.PostAsync("captureFundsReservation", GspMessages.Capture(GspMessages.NewId("c"), app.Clock.NowMillis, reservation, 1_000_000))).AssertStatus(200);

        await using var restarted = IntegratorApp.Start(shareWith: app);
        await restarted.ReserveAsync(amountMicros: 1, token: "tok-limited");

        Assert.That(await restarted.ScalarAsync<long>("SELECT opening_balance_micros - captured_micros FROM accounts WHERE account_id = 'acct-limited'"), Is.EqualTo(999_000_000));
    }

    [Test]
    public async Task SupportQueriesAndActionsRunOnThisEngine()
    {
        await using var app = IntegratorApp.Start(storage: target);
        var reservation = await app.ReserveAsync();
        var cancels = new[] { await app.ReserveAndCancelAsync(), await app.ReserveAndCancelAsync(), await app.ReserveAndCancelAsync() };

        var lookup = await app.SupportAsync(HttpMethod.Get, $"reservations/{GspMessages.AccountId}/{reservation}");
        var release = await app.SupportAsync(HttpMethod.Post, $"reservations/{GspMessages.AccountId}/{reservation}/release", new { reason = "conformance" });
        var journal = await app.SupportAsync(HttpMethod.Get, $"requests/{GspMessages.AccountId}/{cancels[0]}");
        var replay = await app.SupportAsync(HttpMethod.Post, $"requests/{GspMessages.AccountId}/{cancels[0]}/replay", new { });
        var first = await app.SupportAsync(HttpMethod.Get, "notifications?status=PENDING&limit=2");
        var second = await app.SupportAsync(HttpMethod.Get, "notifications?limit=2&after=" + Uri.EscapeDataString(first.Json["next"]!.GetValue<string>()));
        var recover = await app.SupportAsync(HttpMethod.Post, "notifications/recover", new { since = "2000-01-01T00:00:00Z", until = "2100-01-01T00:00:00Z" });
        var audit = await app.SupportAsync(HttpMethod.Get, $"audit?actor={IntegratorApp.SupportKeyName}");
        var statements = await app.SupportAsync(HttpMethod.Get, "statements?status=DISCREPANCY");
        var hits = await app.Services.GetRequiredService<SearchSupport>().FindAsync(reservation, CancellationToken.None);
        var overview = await app.Services.GetRequiredService<OverviewSupport>().GetAsync(CancellationToken.None);

        Assert.That(hits.Value!.Select(h => h.Kind), Does.Contain("reservation").And.Contain("request"));
        Assert.That(overview.PendingNotifications, Is.GreaterThanOrEqualTo(0));
        foreach (var response in new[] { lookup, release, journal, replay, first, second, recover, audit, statements })
        {
            response.AssertStatus(200);
        }

        Assert.That(first.Json["items"]!.AsArray().Select(i => i!["cancelRequestId"]!.GetValue<string>())
            .Concat(second.Json["items"]!.AsArray().Select(i => i!["cancelRequestId"]!.GetValue<string>())), Is.EqualTo(cancels));
        Assert.That(
            audit.Json.AsArray().Select(a => a!["action"]!.GetValue<string>()).Order(),
            Is.EqualTo(new[] { "read request", "read reservation", "recover", "release", "replay" }),
            "every action and every read of customer data");
    }

    private static async Task<DbConnection> OpenRawAsync(IntegratorApp app) =>
        await app.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
}
