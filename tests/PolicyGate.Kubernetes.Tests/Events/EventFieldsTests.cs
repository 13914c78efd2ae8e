using System.Text;
using PolicyGate.Kubernetes.Events;
using PolicyGate.Kubernetes.Naming;

namespace PolicyGate.Kubernetes.Tests.Events;

public sealed class EventFieldsTests
{
    [Fact]
    public void TruncateNote_ShortNote_IsKept() => Assert.Equal("denied", EventFields.TruncateNote("denied"));

    [Fact]
    public void TruncateNote_MultiByteNote_FitsIn1KiBWithoutSplittingACharacter()
    {
        var note = string.Concat(Enumerable.Repeat("é😀", 400)); // 2 + 4 bytes a pair, 2400 bytes in all

        var cut = EventFields.TruncateNote(note);

        Assert.True(Encoding.UTF8.GetByteCount(cut) <= EventFields.MaxNoteBytes);
        Assert.True(Encoding.UTF8.GetByteCount(cut) > EventFields.MaxNoteBytes - 4);
        Assert.StartsWith(cut, note, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(cut[^1]));
    }

    [Theory]
    [InlineData("web-1", "web-1.")]
    [InlineData("system:controller:Foo", "system-controller-foo.")]
    [InlineData("::", "event.")]
    public void NewName_IsADnsSubdomainStartingWithTheObjectsName(string regarding, string prefix)
    {
        var name = EventFields.NewName(regarding);

        Assert.StartsWith(prefix, name, StringComparison.Ordinal);
        Assert.True(KubernetesNames.IsDnsSubdomain(name), name);
    }

    [Fact]
    public void NewName_LongObjectName_StaysWithin253Characters()
    {
        var name = EventFields.NewName(new string('a', 253));

        Assert.Equal(KubernetesNames.MaxSubdomainLength, name.Length);
        Assert.True(KubernetesNames.IsDnsSubdomain(name));
    }
}
