using System.Text;
using System.Text.Json;
using PolicyGate.Core.Admission;

namespace PolicyGate.Core.Tests.Admission;

public sealed class AdmissionReviewDocumentTests
{
    private const string Full = """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
          "uid":"u-1","kind":{"group":"apps","version":"v1","kind":"Deployment"},
          "resource":{"group":"apps","version":"v1","resource":"deployments"},"subResource":"scale",
          "requestKind":{"group":"autoscaling","version":"v1","kind":"Scale"},
          "requestResource":{"group":"apps","version":"v1","resource":"deployments"},"requestSubResource":"scale",
          "name":"web","namespace":"shop","operation":"UPDATE",
          "userInfo":{"username":"alice","uid":"a-1","groups":["dev","system:authenticated"],"extra":{"scopes.example.com":["read","write"]}},
          "object":{"kind":"Scale","spec":{"replicas":3}},"oldObject":{"kind":"Scale","spec":{"replicas":2}},
          "dryRun":true,"options":{"kind":"UpdateOptions"},"futureField":{"x":1}}}
        """;

    [Fact]
    public void TryParse_EveryField_ReadAsSystemTextJsonReadsIt()
    {
        using var document = Parse(Full);
        var expected = JsonSerializer.Deserialize<AdmissionReview>(Full, AdmissionJson.Options)!.Request!;
        var request = document.Request;

        Assert.Equal("AdmissionReview", document.Review.Kind);
        Assert.Equal("admission.k8s.io/v1", document.Review.ApiVersion);
        Assert.Equal(
            (expected.Uid, expected.Kind.ToString(), expected.Resource.ToString(), expected.SubResource, expected.RequestKind!.ToString(),
                expected.RequestResource!.ToString(), expected.RequestSubResource, expected.Name, expected.Namespace, expected.Operation, expected.DryRun),
            (request.Uid, request.Kind.ToString(), request.Resource.ToString(), request.SubResource, request.RequestKind!.ToString(),
                request.RequestResource!.ToString(), request.RequestSubResource, request.Name, request.Namespace, request.Operation, request.DryRun));
        Assert.Equal(("alice", "a-1"), (request.UserInfo.Username, request.UserInfo.Uid));
        Assert.Equal(["dev", "system:authenticated"], request.UserInfo.Groups!);
        Assert.Equal(["read", "write"], request.UserInfo.Extra!["scopes.example.com"]);
        Assert.Equal(expected.Object!.Value.GetRawText(), request.Object!.Value.GetRawText());
        Assert.Equal(expected.OldObject!.Value.GetRawText(), request.OldObject!.Value.GetRawText());
        Assert.Equal(expected.Options!.Value.GetRawText(), request.Options!.Value.GetRawText());
        Assert.Equal("""{"x":1}""", request.ExtensionData!["futureField"].GetRawText());
    }

    [Fact]
    public void TryParse_NullsAndAbsentFields_AreEmptyNotBroken()
    {
        using var document = Parse("""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":null,"userInfo":null,"object":null,"dryRun":null}}
            """);
        var request = document.Request;

        Assert.Equal(("", "", ""), (request.Kind.Group, request.Kind.Version, request.Kind.Kind));
        Assert.Null(request.UserInfo.Username);
        Assert.Null(request.Object);
        Assert.Null(request.OldObject);
        Assert.Null(request.DryRun);
        Assert.Equal("", request.Operation);
    }

    [Fact]
    public void Request_Object_IsAnElementOfTheDocument_NotACopy()
    {
        var document = Parse(Full);
        var obj = document.Request.Object!.Value;
        Assert.Equal(3, obj.GetProperty("spec").GetProperty("replicas").GetInt32());

        document.Dispose();

        // A copy would still read; an element of the disposed document refuses instead of reading freed memory.
        Assert.Throws<ObjectDisposedException>(() => obj.GetRawText());
    }

    [Fact]
    public void TryParse_NamesInOtherCaseOrEscaped_AreRecognised()
    {
        using var document = Parse("""
            {"APIVERSION":"admission.k8s.io/v1","Kind":"AdmissionReview","request":{"UID":"u-2","n\u0061mespace":"shop","userInfo":{"Username":"bob"}}}
            """);

        Assert.Equal(("u-2", "shop", "bob"), (document.Request.Uid, document.Request.Namespace, document.Request.UserInfo.Username));
    }

    [Fact]
    public void TryParse_ByteOrderMark_IsSkipped()
    {
        var json = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Full)).ToArray();

        Assert.True(AdmissionReviewDocument.TryParse(json, out var document, out var error), error);
        document!.Dispose();
    }

    [Theory]
    [InlineData("not json", "not a valid AdmissionReview JSON (line 1, byte 2): 'not json' is an invalid JSON literal")]
    [InlineData("{\n\"apiVersion\": \"admission.k8s.io/v1\",\n\"request\": {\"uid\": \"u\",}\n}", "(line 3, byte")]
    [InlineData("[1]", "the body must be an object, not an array")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u"}} {}""", "(line 1, byte 85): '{' is invalid after a single JSON value")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","object":{"a":[1,}}}""", "(line 1, byte 100): '}' is an invalid start of a value")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod"}""", "expected kind AdmissionReview with apiVersion admission.k8s.io/v1, got kind \"Pod\" apiVersion \"v1\"")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""", "the AdmissionReview has no request")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}}""", "request.uid is required")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":"x"}""", "request must be an object, not a string")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":7}}""", "request.uid must be a string, not a number")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":"Pod"}}""", "request.kind must be an object, not a string")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","resource":{"resource":1}}}""", "request.resource.resource must be a string, not a number")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","dryRun":"yes"}}""", "request.dryRun must be true or false, not a string")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","userInfo":{"groups":["a",2]}}}""", "request.userInfo.groups[1] must be a string, not a number")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","userInfo":{"extra":{"k":"v"}}}}""", "request.userInfo.extra[\"k\"] must be an array, not a string")]
    [InlineData("""{"apiVersion":true,"kind":"AdmissionReview"}""", "apiVersion must be a string, not a boolean")]
    public void TryParse_BadReview_SaysWhatAndWhere(string json, string expected)
    {
        Assert.False(AdmissionReviewDocument.TryParse(Encoding.UTF8.GetBytes(json), out var document, out var error));

        Assert.Null(document);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"uid\":\"u-\xED\xA0\x80\"", "line 1, byte 82: 0xED")] // an encoded surrogate, in a field PolicyGate reads
    [InlineData("\"uid\":\"u\",\n\"opt\xFFions\":{}", "line 2, byte 5: 0xFF")] // in the name of a field it keeps aside
    [InlineData("\"uid\":\"u\",\"object\":{\"metadata\":{\"name\":\"\xC3\x28\"}}", "line 1, byte 113: 0xC3")] // in the object a policy reads
    public void TryParse_InvalidUtf8_IsABadBodyNotAnException(string request, string where)
    {
        // Found by the fuzz suite (run and serve surfaces): System.Text.Json parses such bytes and throws
        // InvalidOperationException only when the string is read, so `run` reported an internal error and serve a 500.
        var prefix = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{";
        var json = Encoding.Latin1.GetBytes(prefix + request + "}}");

        Assert.False(AdmissionReviewDocument.TryParse(json, out var document, out var error));

        Assert.Null(document);
        Assert.Equal($"the body is not valid UTF-8 ({where}); JSON must be UTF-8", error);
    }

    [Fact]
    public void TryParse_TheCliFixture_MatchesSystemTextJson()
    {
        var json = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "cli", "admission-review-pod.json"));
        var expected = JsonSerializer.Deserialize<AdmissionReview>(json, AdmissionJson.Options)!.Request!;

        Assert.True(AdmissionReviewDocument.TryParse(json, out var document, out var error), error);
        using (document)
        {
            var request = document!.Request;
            Assert.Equal(JsonSerializer.Serialize(expected, AdmissionJson.Options), JsonSerializer.Serialize(request, AdmissionJson.Options));
        }
    }

    private static AdmissionReviewDocument Parse(string json)
    {
        Assert.True(AdmissionReviewDocument.TryParse(Encoding.UTF8.GetBytes(json), out var document, out var error), error);
        return document!;
    }
}
