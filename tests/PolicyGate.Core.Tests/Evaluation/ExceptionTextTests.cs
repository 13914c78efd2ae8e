using PolicyGate.Core.Evaluation;

namespace PolicyGate.Core.Tests.Evaluation;

public class ExceptionTextTests
{
    private sealed class MessageThrows : Exception
    {
        public override string Message => throw new InvalidOperationException("no message for you");
    }

    [Fact]
    public void Describe_MessageGetterThrows_StillGivesALine()
    {
        Assert.Equal("MessageThrows: (its message could not be read)", ExceptionText.Describe(new MessageThrows()));
    }

    [Fact]
    public void WithStackTrace_MessageGetterThrows_StillGivesTheTypeAndTrace()
    {
        Exception caught;
        try
        {
            throw new MessageThrows();
        }
        catch (MessageThrows ex)
        {
            caught = ex;
        }

        var text = ExceptionText.WithStackTrace(caught);

        Assert.StartsWith("MessageThrows: (its message could not be read)", text, StringComparison.Ordinal);
        Assert.Contains(nameof(WithStackTrace_MessageGetterThrows_StillGivesTheTypeAndTrace), text, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_Huge_IsCutSayingHowMuch()
    {
        var message = ExceptionText.Message(new InvalidOperationException(new string('x', 10_000)));

        Assert.Equal(ExceptionText.MaxLength + "... (8000 more characters)".Length, message.Length);
        Assert.EndsWith("... (8000 more characters)", message, StringComparison.Ordinal);
    }
}
