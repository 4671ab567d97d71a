using Integrator.Core.Gsp;
using Integrator.Core.Idempotency;
using Integrator.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Integrator.Tests.Idempotency;

/// <summary>The in-memory copy of recently completed requests stays bounded in count and in age.</summary>
public sealed class RecentResponsesTests
{
    private readonly TestClock _clock = new();

    [Test]
    public void KeepsTheNewestUpToItsCapacity()
    {
        var recent = Recent(capacity: 3);
        for (var i = 1; i <= 5; i++)
        {
            recent.Add(Key(i), Record(i));
        }

        Assert.Multiple(() =>
        {
            Assert.That(recent.Find(Key(1)), Is.Null);
            Assert.That(recent.Find(Key(2)), Is.Null);
            Assert.That(recent.Find(Key(3))?.ResponseBody, Is.EqualTo("body-3"));
            Assert.That(recent.Find(Key(5))?.ResponseBody, Is.EqualTo("body-5"));
        });
    }

    [Test]
    public void ForgetsAnEntryOlderThanTheMaximumAge()
    {
        var recent = Recent(capacity: 10);
        recent.Add(Key(1), Record(1));

        _clock.Advance(RecentResponses.MaxAge);
        Assert.That(recent.Find(Key(1)), Is.Not.Null, "still within the age");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(recent.Find(Key(1)), Is.Null, "past the age the database answers");
    }

    [Test]
    public void TheFirstAnswerStaysWhenAKeyIsAddedAgain()
    {
        var recent = Recent(capacity: 10);
        recent.Add(Key(1), Record(1));
        recent.Add(Key(1), Record(2));

        Assert.That(recent.Find(Key(1))?.ResponseBody, Is.EqualTo("body-1"));
    }

    [Test]
    public void CapacityZeroKeepsNothing()
    {
        var recent = Recent(capacity: 0);
        recent.Add(Key(1), Record(1));

        Assert.That(recent.Find(Key(1)), Is.Null);
    }

    private RecentResponses Recent(int capacity) =>
        new(Options.Create(new IdempotencyOptions { RecentResponses = capacity }), _clock);

    private static IdempotencyKey Key(int n) => new("PIAID", $"request-{n}");

    private static IdempotencyRecord Record(int n) => new() { Method = "cancelFundsReservation", Fingerprint = $"f{n}", ResponseBody = $"body-{n}" };
}
