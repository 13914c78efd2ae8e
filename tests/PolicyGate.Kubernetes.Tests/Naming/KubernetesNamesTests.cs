using PolicyGate.Kubernetes.Naming;

namespace PolicyGate.Kubernetes.Tests.Naming;

public class KubernetesNamesTests
{
    [Theory]
    [InlineData("a", true)]
    [InlineData("policygate-system", true)]
    [InlineData("0abc", true)]
    [InlineData("", false)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    [InlineData("A", false)]
    [InlineData("a.b", false)]
    [InlineData("a_b", false)]
    public void IsDnsLabel_Names_FollowRfc1123(string name, bool expected) => Assert.Equal(expected, KubernetesNames.IsDnsLabel(name));

    [Fact]
    public void IsDnsLabel_LengthLimit_Is63()
    {
        Assert.True(KubernetesNames.IsDnsLabel(new string('a', 63)));
        Assert.False(KubernetesNames.IsDnsLabel(new string('a', 64)));
    }

    [Theory]
    [InlineData("policygate", true)]
    [InlineData("0gate", false)]
    public void IsServiceName_Names_StartWithALetter(string name, bool expected) => Assert.Equal(expected, KubernetesNames.IsServiceName(name));

    [Theory]
    [InlineData("a.policygate.io", true)]
    [InlineData("a-b.c-d", true)]
    [InlineData("a..b", false)]
    [InlineData(".a", false)]
    [InlineData("a.-b", false)]
    [InlineData("a.B", false)]
    public void IsDnsSubdomain_Names_FollowRfc1123(string name, bool expected) => Assert.Equal(expected, KubernetesNames.IsDnsSubdomain(name));

    [Fact]
    public void IsDnsSubdomain_LengthLimit_Is253()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 63), 4));
        Assert.True(KubernetesNames.IsDnsSubdomain(name[..253]));
        Assert.False(KubernetesNames.IsDnsSubdomain(name[..252] + "ab"));
    }
}
