using System.Collections;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Kubernetes;
using PolicyGate.Core.Manifests;

namespace PolicyGate.Core.Tests.Kubernetes;

/// <summary>
/// <see cref="ModelReader"/> against its reference, <c>ModelFreezer.Freeze(KubernetesJson.Deserialize(...))</c>: the
/// same models (values, explicit nulls, extension data and its order, list and map types), frozen throughout, on
/// every real manifest of the repository and the conformance data, on generated objects that set every property of
/// every model, and on the edge cases and errors one by one.
/// </summary>
public sealed class ModelReaderTests
{
    private static readonly Dictionary<string, Type> RootTypes = new(StringComparer.Ordinal)
    {
        ["Pod"] = typeof(V1Pod),
        ["Deployment"] = typeof(V1Deployment),
        ["StatefulSet"] = typeof(V1StatefulSet),
        ["DaemonSet"] = typeof(V1DaemonSet),
        ["Job"] = typeof(V1Job),
        ["CronJob"] = typeof(V1CronJob),
        ["ReplicaSet"] = typeof(V1ReplicaSet),
        ["ReplicationController"] = typeof(V1ReplicationController),
        ["PersistentVolumeClaim"] = typeof(V1PersistentVolumeClaim),
    };

    private static readonly Lazy<SortedDictionary<string, (Type Type, string Json)>> RealManifests = new(LoadRealManifests);

    /// <summary>Every Pod, pod controller and PVC under tests/fixtures (the conformance data included), policies/ and bench/server.</summary>
    public static TheoryData<string> RealManifestSources()
    {
        var data = new TheoryData<string>();
        foreach (var source in RealManifests.Value.Keys)
        {
            data.Add(source);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RealManifestSources))]
    public void ReadFrozen_RealManifest_EqualsTheFrozenStjParse(string source)
    {
        var (type, json) = RealManifests.Value[source];
        using var document = JsonDocument.Parse(json);

        AssertSameAsReference(document.RootElement, type);
    }

    [Fact]
    public void RealManifests_EverySourceAndKind_IsCovered()
    {
        var sources = RealManifests.Value.Keys.ToList();

        Assert.Contains(sources, s => s.StartsWith("tests/fixtures/", StringComparison.Ordinal));
        Assert.Contains(sources, s => s.StartsWith("policies/examples/", StringComparison.Ordinal));
        Assert.Contains(sources, s => s.StartsWith("bench/server/admission-review.json", StringComparison.Ordinal));
        Assert.Equal(28, sources.Count(s => s.Contains("conformance/pod-security-admission/", StringComparison.Ordinal)));
        var kinds = RealManifests.Value.Values.Select(v => v.Type).ToHashSet();
        Assert.Contains(typeof(V1Pod), kinds);
        Assert.Contains(typeof(V1Deployment), kinds); // the repository has no other real kind: the generated samples cover every model
    }

    [Theory]
    [MemberData(nameof(ModelClonerTests.ModelTypes), MemberType = typeof(ModelClonerTests))]
    public void ReadFrozen_EveryPropertySet_EqualsTheFrozenStjParse(Type type)
    {
        var json = Sample(type, depth: 0)!.ToJsonString();
        using var document = JsonDocument.Parse(json);

        var read = AssertSameAsReference(document.RootElement, type);

        // Every generated name is a declared one (per STJ too): only the generated unknown field is extension data.
        Assert.Equal(["futureField"], read.ExtensionData!.Keys);
    }

    [Theory]
    [MemberData(nameof(ModelClonerTests.ModelTypes), MemberType = typeof(ModelClonerTests))]
    public void ReadFrozen_EveryPropertyNull_RecordsTheExplicitNullsAndWritesThemBack(Type type)
    {
        var json = new JsonObject();
        foreach (var property in DeclaredProperties(type))
        {
            json[JsonNamingPolicy.CamelCase.ConvertName(property.Name)] = null;
        }

        using var document = JsonDocument.Parse(json.ToJsonString());

        var read = AssertSameAsReference(document.RootElement, type);

        Assert.Equal(json.Count, read.ExplicitNulls?.Count ?? 0);
        Assert.True(JsonNode.DeepEquals(json, JsonSerializer.SerializeToNode(read, type, KubernetesJson.Options)));
    }

    [Fact]
    public void ReadFrozen_ExplicitNullThenValue_RecordsTheNullAndKeepsTheValue()
    {
        using var document = JsonDocument.Parse("""{"name":null,"name":"app","image":null}""");

        var read = AssertSameAsReference(document.RootElement, typeof(V1Container));

        var container = Assert.IsType<V1Container>(read);
        Assert.Equal("app", container.Name);
        Assert.Equal(["image", "name"], container.ExplicitNulls!.Order(StringComparer.Ordinal));
        Assert.Equal("""{"image":null,"name":"app"}""", KubernetesJson.SerializeToNode(container)!.ToJsonString());
    }

    [Fact]
    public void ReadFrozen_UnknownFields_LandInExtensionDataInDocumentOrderLastDuplicateWinning()
    {
        using var document = JsonDocument.Parse("""{"zeta":1,"name":"app","alpha":{"b":[2]},"Name":"upper","zeta":3,"explicitNulls":[],"extensionData":{}}""");

        var container = ModelReader.ReadFrozen<V1Container>(document.RootElement)!;
        var reference = KubernetesJson.Deserialize<V1Container>(document.RootElement)!;

        Assert.Equal("app", container.Name);
        Assert.Equal(["zeta", "alpha", "Name", "explicitNulls", "extensionData"], container.ExtensionData!.Keys);
        Assert.Equal(reference.ExtensionData!.Keys, container.ExtensionData.Keys);
        Assert.Equal(3, container.ExtensionData["zeta"].GetInt32());
        Assert.True(container.IsReadOnly);
        Assert.Null(container.ExplicitNulls);
    }

    [Fact]
    public void ReadFrozen_IgnoredProperty_IsSkippedNotKept()
    {
        using var document = JsonDocument.Parse("""{"isReadOnly":false,"name":"app"}""");

        var container = ModelReader.ReadFrozen<V1Container>(document.RootElement)!;

        Assert.True(container.IsReadOnly);
        Assert.Null(container.ExtensionData);
        AssertSameAsReference(document.RootElement, typeof(V1Container));
    }

    [Fact]
    public void ReadFrozen_DuplicateKnownProperty_LastWins()
    {
        using var document = JsonDocument.Parse("""{"containers":[{"name":"first"}],"containers":[{"name":"second"}],"hostPID":true,"hostPID":false}""");

        var spec = ModelReader.ReadFrozen<V1PodSpec>(document.RootElement)!;

        Assert.Equal("second", Assert.Single(spec.Containers!).Name);
        Assert.False(spec.HostPID);
        AssertSameAsReference(document.RootElement, typeof(V1PodSpec));
    }

    [Fact]
    public void ReadFrozen_EscapedPropertyNames_AreRecognised()
    {
        using var document = JsonDocument.Parse("""{"c\u006fntainers":[{"n\u0061me":"app","\u0069mage":"nginx"}],"fut\u0075re":1}""");

        var spec = ModelReader.ReadFrozen<V1PodSpec>(document.RootElement)!;

        var container = Assert.Single(spec.Containers!);
        Assert.Equal("app", container.Name);
        Assert.Equal("nginx", container.Image);
        Assert.Null(container.ExtensionData);
        Assert.Equal(["future"], spec.ExtensionData!.Keys);
        AssertSameAsReference(document.RootElement, typeof(V1PodSpec));
    }

    [Fact]
    public void ReadFrozen_RawJsonValues_AreElementsOfTheSourceDocumentNotCopies()
    {
        var document = JsonDocument.Parse("""{"livenessProbe":{"exec":{"command":["true"]}},"envFrom":[{"configMapRef":{"name":"c"}}],"futureField":{"x":1}}""");
        var read = ModelReader.ReadFrozen<V1Container>(document.RootElement)!;
        var copied = ModelFreezer.Freeze(KubernetesJson.Deserialize<V1Container>(document.RootElement))!;
        var source = JsonMarshal.GetRawUtf8Value(document.RootElement);

        Assert.True(source.Overlaps(JsonMarshal.GetRawUtf8Value(read.LivenessProbe!.Value)));
        Assert.True(source.Overlaps(JsonMarshal.GetRawUtf8Value(read.EnvFrom![0])));
        Assert.True(source.Overlaps(JsonMarshal.GetRawUtf8Value(read.ExtensionData!["futureField"])));
        Assert.False(source.Overlaps(JsonMarshal.GetRawUtf8Value(copied.LivenessProbe!.Value)));

        document.Dispose();

        Assert.Throws<ObjectDisposedException>(() => read.LivenessProbe!.Value.ValueKind);
        Assert.Throws<ObjectDisposedException>(() => read.EnvFrom![0].ValueKind);
        Assert.Throws<ObjectDisposedException>(() => read.ExtensionData!["futureField"].ValueKind);
        Assert.Equal(JsonValueKind.Object, copied.LivenessProbe!.Value.ValueKind); // the STJ path's copy outlives the document
    }

    [Fact]
    public void ReadFrozen_QuantityFromStringAndNumber_ParsesLikeTheConverter()
    {
        using var document = JsonDocument.Parse("""{"limits":{"cpu":2,"memory":1e9,"storage":" 10Gi ","nvidia.com/gpu":"1"},"requests":{"cpu":null}}""");

        var resources = ModelReader.ReadFrozen<V1ResourceRequirements>(document.RootElement)!;

        Assert.Equal(ResourceQuantity.Parse("2000m"), resources.Limits!["cpu"]);
        Assert.Equal("1e9", resources.Limits["memory"].Original);
        Assert.Equal(" 10Gi ", resources.Limits["storage"].Original);
        Assert.Null(resources.Requests!["cpu"]);
        AssertSameAsReference(document.RootElement, typeof(V1ResourceRequirements));
    }

    [Fact]
    public void ReadFrozen_SameQuantityToken_SharesOneImmutableQuantity()
    {
        using var document = JsonDocument.Parse("""{"limits":{"cpu":"250m","memory":2},"requests":{"cpu":"250m","memory":"2","storage":"\u0032Gi"}}""");

        var resources = ModelReader.ReadFrozen<V1ResourceRequirements>(document.RootElement)!;

        Assert.Same(resources.Limits!["cpu"], resources.Requests!["cpu"]);
        Assert.Equal("2", resources.Limits["memory"].Original);
        Assert.Equal("2", resources.Requests["memory"].Original);
        Assert.Equal("2Gi", resources.Requests["storage"].Original);
        AssertSameAsReference(document.RootElement, typeof(V1ResourceRequirements));
    }

    [Fact]
    public void ReadFrozen_ManyDistinctQuantities_EachKeepsItsOwnSpelling()
    {
        // More distinct tokens than the quantity cache has entries, so entries collide and are replaced.
        var limits = new JsonObject();
        for (var i = 1; i <= 2000; i++)
        {
            limits[$"q{i}"] = i % 2 == 0 ? $"{i}m" : JsonValue.Create(i);
        }

        using var document = JsonDocument.Parse(new JsonObject { ["limits"] = limits }.ToJsonString());

        for (var pass = 0; pass < 2; pass++)
        {
            var read = ModelReader.ReadFrozen<V1ResourceRequirements>(document.RootElement)!;
            for (var i = 1; i <= 2000; i++)
            {
                Assert.Equal(i % 2 == 0 ? $"{i}m" : $"{i}", read.Limits![$"q{i}"].Original);
            }
        }
    }

    [Fact]
    public void ReadFrozen_NullItems_AreReadAsStjReadsThem()
    {
        using var document = JsonDocument.Parse("""{"spec":{"containers":[null,{"args":[null,"a"],"envFrom":[null]}],"nodeSelector":{"k":null}}}""");

        var pod = ModelReader.ReadFrozen<V1Pod>(document.RootElement)!;

        Assert.Null(pod.Spec!.Containers![0]);
        Assert.Equal<string?>([null, "a"], pod.Spec.Containers[1].Args!);
        Assert.Equal(JsonValueKind.Null, pod.Spec.Containers[1].EnvFrom![0].ValueKind);
        Assert.Null(pod.Spec.NodeSelector!["k"]);
        AssertSameAsReference(document.RootElement, typeof(V1Pod));
    }

    [Fact]
    public void ReadFrozen_EmptyListsAndMaps_AreFrozenEmpties()
    {
        using var document = JsonDocument.Parse("""{"containers":[],"nodeSelector":{},"volumes":[]}""");

        var spec = ModelReader.ReadFrozen<V1PodSpec>(document.RootElement)!;

        Assert.Empty(spec.Containers!);
        Assert.Empty(spec.Volumes!);
        Assert.Empty(spec.NodeSelector!);
        Assert.Throws<ReadOnlyModelException>(() => spec.Containers!.Add(new V1Container()));
        Assert.Throws<ReadOnlyModelException>(() => spec.NodeSelector!.Add("k", "v"));
        AssertSameAsReference(document.RootElement, typeof(V1PodSpec));
    }

    [Fact]
    public void ReadFrozen_JsonNullRoot_IsNull()
    {
        using var document = JsonDocument.Parse("null");

        Assert.Null(ModelReader.ReadFrozen<V1Pod>(document.RootElement));
        Assert.Null(KubernetesJson.Deserialize<V1Pod>(document.RootElement));
    }

    [Theory]
    [InlineData(typeof(V1Pod), """{"spec":{"containers":[{"securityContext":{"runAsNonRoot":"true"}}]}}""", "$.spec.containers[0].securityContext.runAsNonRoot", "expected true, false or null, got a string")]
    [InlineData(typeof(V1Pod), """{"spec":{"hostPID":1}}""", "$.spec.hostPID", "expected true, false or null, got a number")]
    [InlineData(typeof(V1Pod), """{"spec":{"priority":"5"}}""", "$.spec.priority", "expected an integer or null, got a string")]
    [InlineData(typeof(V1Pod), """{"spec":{"securityContext":{"runAsUser":{}}}}""", "$.spec.securityContext.runAsUser", "expected an integer or null, got an object")]
    [InlineData(typeof(V1Pod), """{"spec":{"priority":3000000000}}""", "$.spec.priority", "expected a 32-bit integer, got 3000000000: out of range")]
    [InlineData(typeof(V1Pod), """{"spec":{"activeDeadlineSeconds":9223372036854775808}}""", "$.spec.activeDeadlineSeconds", "expected a 64-bit integer, got 9223372036854775808: out of range")]
    [InlineData(typeof(V1Pod), """{"spec":{"securityContext":{"runAsUser":1.5}}}""", "$.spec.securityContext.runAsUser", "expected an integer, got 1.5: a fraction or exponent is not allowed")]
    [InlineData(typeof(V1Pod), """{"spec":{"terminationGracePeriodSeconds":3e1}}""", "$.spec.terminationGracePeriodSeconds", "expected an integer, got 3e1: a fraction or exponent is not allowed")]
    [InlineData(typeof(V1Pod), """{"spec":{"securityContext":{"supplementalGroups":[1,null]}}}""", "$.spec.securityContext.supplementalGroups[1]", "expected an integer, got null")]
    [InlineData(typeof(V1Pod), """{"metadata":{"name":1}}""", "$.metadata.name", "expected a string or null, got a number")]
    [InlineData(typeof(V1Pod), """{"spec":{"containers":[{"name":"a"},{"command":"ls"}]}}""", "$.spec.containers[1].command", "expected an array or null, got a string")]
    [InlineData(typeof(V1Pod), """{"spec":{"containers":{}}}""", "$.spec.containers", "expected an array or null, got an object")]
    [InlineData(typeof(V1Pod), """{"spec":{"containers":[true]}}""", "$.spec.containers[0]", "expected an object or null, got true")]
    [InlineData(typeof(V1Pod), """{"spec":{"securityContext":[]}}""", "$.spec.securityContext", "expected an object or null, got an array")]
    [InlineData(typeof(V1Pod), """{"metadata":{"labels":[]}}""", "$.metadata.labels", "expected an object or null, got an array")]
    [InlineData(typeof(V1Pod), """{"metadata":{"labels":{"app.kubernetes.io/name":false}}}""", "$.metadata.labels['app.kubernetes.io/name']", "expected a string or null, got false")]
    [InlineData(typeof(V1Pod), """{"spec":{"containers":[{"resources":{"limits":{"memory":"1KB"}}}]}}""", "$.spec.containers[0].resources.limits.memory", "invalid quantity \"1KB\": quantities must match the regular expression")]
    [InlineData(typeof(V1Pod), """{"spec":{"overhead":{"cpu":true}}}""", "$.spec.overhead.cpu", "expected a quantity (a JSON string or number) or null, got true")]
    [InlineData(typeof(V1Pod), """[]""", "$", "expected an object or null, got an array")]
    [InlineData(typeof(V1ObjectMeta), "\"web\"", "$", "expected an object or null, got a string")]
    public void ReadFrozen_InvalidJson_ThrowsJsonExceptionNamingThePathLikeStj(Type type, string json, string path, string message)
    {
        using var document = JsonDocument.Parse(json);

        var error = Assert.Throws<JsonException>(() => ModelReader.ReadFrozen(document.RootElement, type));
        var reference = Assert.Throws<JsonException>(() => KubernetesJson.Deserialize(document.RootElement, type));

        Assert.StartsWith($"{path}: {message}", error.Message, StringComparison.Ordinal);
        Assert.Equal(path, error.Path);
        Assert.Equal(reference.Path, error.Path);
    }

    [Fact]
    public void ReadFrozen_ModelWithJsonAttributes_HonoursThemLikeStj()
    {
        using var document = JsonDocument.Parse("""{"x-name":"a","name":"b","hidden":"c","count":2}""");

        var read = ModelReader.ReadFrozen<AttributedModel>(document.RootElement)!;
        var reference = KubernetesJson.Deserialize<AttributedModel>(document.RootElement)!;

        Assert.Equal("a", read.Name);
        Assert.Null(read.Hidden);
        Assert.Equal(2, read.Count);
        Assert.Equal(["name"], read.ExtensionData!.Keys);
        Assert.Equal(reference.ExtensionData!.Keys, read.ExtensionData.Keys);
        Assert.True(JsonNode.DeepEquals(
            JsonSerializer.SerializeToNode(reference, KubernetesJson.Options),
            JsonSerializer.SerializeToNode(read, KubernetesJson.Options)));
    }

    [Fact]
    public void ReadFrozen_UnsupportedPropertyType_ThrowsNotSupportedBeforeReading()
    {
        using var document = JsonDocument.Parse("{}");

        var error = Assert.Throws<NotSupportedException>(() => ModelReader.ReadFrozen<UnsupportedModel>(document.RootElement));

        Assert.Contains("UnsupportedModel.When", error.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => ModelReader.ReadFrozen<KubernetesModel>(document.RootElement));
    }

    [Fact]
    public void ParsedRequest_PodSpecAndTyped_AreReadFromTheRequestDocument()
    {
        var request = AdmissionRequestFactory.Create(JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}""")!.AsObject(), "test");
        var document = JsonDocument.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"affinity":{"nodeAffinity":{}},"containers":[{"name":"c"}]}}""");
        request = request with { Object = document.RootElement };
        var parsed = new ParsedRequest(request);

        var spec = parsed.PodSpec!;
        var pod = Assert.IsType<V1Pod>(parsed.Typed(typeof(V1Pod)));

        Assert.True(spec.IsReadOnly && pod.IsReadOnly);
        Assert.Equal("c", Assert.Single(spec.Containers!).Name);
        document.Dispose();
        Assert.Throws<ObjectDisposedException>(() => spec.Affinity!.Value.ValueKind); // not a copy: ModelReader's element
        Assert.Throws<ObjectDisposedException>(() => pod.Spec!.Affinity!.Value.ValueKind);
    }

    [Fact]
    public void Wrap_DictionaryWithAnotherComparer_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => ReadOnlyModelDictionary<string>.Wrap(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)));
        Assert.Single(ReadOnlyModelDictionary<string>.Wrap(new Dictionary<string, string>(StringComparer.Ordinal) { ["k"] = "v" }));
    }

    /// <summary>
    /// Reads <paramref name="element"/> both ways and checks the two models are the same, serialize the same and are
    /// both frozen throughout. Returns ModelReader's.
    /// </summary>
    private static KubernetesModel AssertSameAsReference(JsonElement element, Type type)
    {
        var read = ModelReader.ReadFrozen(element, type)!;
        var reference = ModelFreezer.Freeze((KubernetesModel?)KubernetesJson.Deserialize(element, type))!;

        Assert.IsType(type, read);
        var readJson = JsonSerializer.SerializeToNode(read, type, KubernetesJson.Options);
        var referenceJson = JsonSerializer.SerializeToNode(reference, type, KubernetesJson.Options);
        Assert.True(JsonNode.DeepEquals(referenceJson, readJson), $"serialized differently:\n{referenceJson}\n{readJson}");
        AssertSameShape(reference, read, "$");
        AssertFrozen(read, "$");
        AssertFrozen(reference, "$");
        return read;
    }

    /// <summary>Same runtime types, values, explicit nulls and extension data (keys in the same order), all the way down.</summary>
    private static void AssertSameShape(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: {expected ?? "null"} vs {actual ?? "null"}");
            return;
        }

        Assert.True(expected.GetType() == actual.GetType(), $"{path}: {expected.GetType()} vs {actual.GetType()}");
        switch (expected)
        {
            case JsonElement element:
                Assert.True(JsonElement.DeepEquals(element, (JsonElement)actual), $"{path}: {element} vs {actual}");
                break;
            case ResourceQuantity quantity:
                Assert.Equal(quantity.Original, ((ResourceQuantity)actual).Original);
                break;
            case string or ValueType:
                Assert.True(expected.Equals(actual), $"{path}: {expected} vs {actual}");
                break;
            case KubernetesModel model:
                var other = (KubernetesModel)actual;
                Assert.Equal(model.ExplicitNulls?.Order(StringComparer.Ordinal), other.ExplicitNulls?.Order(StringComparer.Ordinal));
                foreach (var property in model.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (property.GetIndexParameters().Length == 0)
                    {
                        AssertSameShape(property.GetValue(model), property.GetValue(other), $"{path}.{property.Name}");
                    }
                }

                break;
            case IEnumerable items:
                var expectedItems = items.Cast<object?>().ToList();
                var actualItems = ((IEnumerable)actual).Cast<object?>().ToList();
                Assert.True(expectedItems.Count == actualItems.Count, $"{path}: {expectedItems.Count} vs {actualItems.Count} items");
                for (var i = 0; i < expectedItems.Count; i++)
                {
                    if (expectedItems[i] is { } pair && pair.GetType().IsGenericType && pair.GetType().GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
                    {
                        var key = pair.GetType().GetProperty("Key")!;
                        var value = pair.GetType().GetProperty("Value")!;
                        Assert.Equal(key.GetValue(pair), key.GetValue(actualItems[i]));
                        AssertSameShape(value.GetValue(pair), value.GetValue(actualItems[i]), $"{path}['{key.GetValue(pair)}']");
                    }
                    else
                    {
                        AssertSameShape(expectedItems[i], actualItems[i], $"{path}[{i}]");
                    }
                }

                break;
            default:
                Assert.Fail($"{path}: a {expected.GetType()} this comparison does not know");
                break;
        }
    }

    /// <summary>Every model read-only and refusing every setter; every list and map a read-only one refusing additions.</summary>
    private static void AssertFrozen(KubernetesModel model, string path)
    {
        Assert.True(model.IsReadOnly, $"{path} is not read-only");
        foreach (var property in model.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetSetMethod() is null)
            {
                continue;
            }

            var value = property.GetValue(model);
            AssertRefused(() => property.SetValue(model, value), $"{path}.{property.Name} =");
            AssertFrozenValue(value, property.PropertyType, $"{path}.{property.Name}");
        }
    }

    private static void AssertFrozenValue(object? value, Type declared, string path)
    {
        if (value is null)
        {
            return;
        }

        if (value is KubernetesModel model)
        {
            AssertFrozen(model, path);
            return;
        }

        if (!declared.IsGenericType)
        {
            return;
        }

        var arguments = declared.GetGenericArguments();
        if (declared.GetGenericTypeDefinition() == typeof(IList<>))
        {
            Assert.IsType(typeof(ReadOnlyModelList<>).MakeGenericType(arguments[0]), value);
            var add = typeof(ICollection<>).MakeGenericType(arguments[0]).GetMethod("Add")!;
            AssertRefused(() => add.Invoke(value, [DefaultOf(arguments[0])]), $"{path}.Add");
            var index = 0;
            foreach (var item in (IEnumerable)value)
            {
                AssertFrozenValue(item, arguments[0], $"{path}[{index++}]");
            }
        }
        else if (declared.GetGenericTypeDefinition() == typeof(IDictionary<,>))
        {
            Assert.IsType(typeof(ReadOnlyModelDictionary<>).MakeGenericType(arguments[1]), value);
            var add = declared.GetMethod("Add", [typeof(string), arguments[1]])!;
            AssertRefused(() => add.Invoke(value, ["added", DefaultOf(arguments[1])]), $"{path}.Add");
            foreach (var item in (IEnumerable)value)
            {
                var key = item.GetType().GetProperty("Key")!.GetValue(item);
                AssertFrozenValue(item.GetType().GetProperty("Value")!.GetValue(item), arguments[1], $"{path}['{key}']");
            }
        }
    }

    private static void AssertRefused(Action change, string what)
    {
        var error = Assert.Throws<TargetInvocationException>(change);
        Assert.True(error.InnerException is ReadOnlyModelException, $"{what}: {error.InnerException}");
    }

    private static object? DefaultOf(Type type) => type.IsValueType ? Activator.CreateInstance(type) : null;

    private static IEnumerable<PropertyInfo> DeclaredProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetSetMethod() is not null && p.GetIndexParameters().Length == 0 && p.Name != nameof(KubernetesModel.ExtensionData));

    /// <summary>A JSON value for <paramref name="type"/>: objects set every declared property and one unknown field, lists and maps hold two values and a null where STJ accepts one.</summary>
    private static JsonNode? Sample(Type type, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return $"text-{depth}";
        }

        if (type == typeof(int))
        {
            return -7;
        }

        if (type == typeof(long))
        {
            return 1L << 40;
        }

        if (type == typeof(bool))
        {
            return depth % 2 == 0;
        }

        if (type == typeof(JsonElement))
        {
            return JsonNode.Parse("""{"raw":[1,"two",null,{"three":3.5}]}""");
        }

        if (type == typeof(ResourceQuantity))
        {
            return depth % 2 == 0 ? "1.5Gi" : 250;
        }

        if (type.IsAssignableTo(typeof(KubernetesModel)))
        {
            var json = new JsonObject();
            if (depth < 8)
            {
                foreach (var property in DeclaredProperties(type))
                {
                    json[JsonNamingPolicy.CamelCase.ConvertName(property.Name)] = Sample(property.PropertyType, depth + 1);
                }
            }

            json["futureField"] = new JsonObject { ["nested"] = new JsonArray(1, 2) };
            return json;
        }

        var item = type.GetGenericArguments().Last();
        var values = new[] { Sample(item, depth + 1), Sample(item, depth + 2) };
        var nullAccepted = !item.IsValueType || item == typeof(JsonElement);
        if (type.GetGenericTypeDefinition() == typeof(IList<>))
        {
            var list = new JsonArray(values);
            if (nullAccepted)
            {
                list.Add(null);
            }

            return list;
        }

        var map = new JsonObject { ["first"] = values[0], ["app.kubernetes.io/second"] = values[1] };
        if (nullAccepted)
        {
            map["none"] = null;
        }

        return map;
    }

    private static SortedDictionary<string, (Type Type, string Json)> LoadRealManifests()
    {
        var loaded = ManifestLoader.Load(
        [
            Path.Combine(RepoPaths.Root, "tests", "fixtures"),
            Path.Combine(RepoPaths.Root, "policies"),
            Path.Combine(RepoPaths.Root, "bench", "server", "admission-review.json"),
        ]);

        // Broken fixtures (tests/fixtures/manifests/broken.*) are reported in loaded.Errors on purpose, and those in
        // tests/fixtures/cli/bad-input/ have fields of the wrong type on purpose: skip them.
        var manifests = new SortedDictionary<string, (Type Type, string Json)>(StringComparer.Ordinal);
        foreach (var document in loaded.Documents)
        {
            var source = Path.GetRelativePath(RepoPaths.Root, document.Source).Replace('\\', '/');
            if (source.StartsWith("tests/fixtures/cli/bad-input/", StringComparison.Ordinal))
            {
                continue;
            }

            var kind = document.Object["kind"]!.GetValue<string>();
            if (kind == "AdmissionReview")
            {
                foreach (var field in new[] { "object", "oldObject" })
                {
                    if (document.Object["request"]?[field] is JsonObject embedded
                        && embedded["kind"]?.GetValue<string>() is { } embeddedKind
                        && RootTypes.TryGetValue(embeddedKind, out var embeddedType))
                    {
                        manifests[$"{source} request.{field}"] = (embeddedType, embedded.ToJsonString());
                    }
                }
            }
            else if (RootTypes.TryGetValue(kind, out var type))
            {
                manifests[source] = (type, document.Object.ToJsonString());
            }
        }

        return manifests;
    }

    /// <summary>A model outside the source-generated context, with the attributes ModelReader must honour.</summary>
    public sealed class AttributedModel : KubernetesModel
    {
        [JsonPropertyName("x-name")]
        public string? Name { get; set { ThrowIfFrozen(); field = value; } }

        [JsonIgnore]
        public string? Hidden { get; set { ThrowIfFrozen(); field = value; } }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public int? Count { get; set { ThrowIfFrozen(); field = value; } }
    }

    public sealed class UnsupportedModel : KubernetesModel
    {
        public DateTime? When { get; set; }
    }
}
