using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Admission;
using PolicyGate.Core.IO;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Cli.Suites;

/// <summary>
/// Reads a <c>policygate.io/v1</c> <c>PolicyTest</c> file, reporting every problem (unknown or misspelt fields, wrong
/// types, missing or conflicting fields, files that cannot be read) with its line, column, case and field, rather than
/// stopping at the first. Files named by the suite (<c>objectFile</c>, <c>reviewFile</c>...) are read here, relative
/// to the suite's folder, so that a missing one is reported where it is named.
/// </summary>
internal static class SuiteParser
{
    public const string ApiVersion = "policygate.io/v1";
    public const string Kind = "PolicyTest";

    private static readonly string[] SuiteFields = ["apiVersion", "kind", "metadata", "policies", "cases"];
    private static readonly string[] MetadataFields = ["name", "description"];
    private static readonly string[] PolicyFields = ["path", "names", "settings", "mutating"];

    private static readonly string[] CaseFields =
    [
        "name", "object", "objectFile", "oldObject", "oldObjectFile", "review", "reviewFile", "operation",
        "namespaceLabels", "userInfo", "settings", "mutating", "expect",
    ];

    private static readonly string[] ExpectFields = ["allowed", "message", "warnings", "patch", "patchedObject"];
    private static readonly string[] UserInfoFields = ["username", "uid", "groups", "extra"];
    private static readonly string[] Operations = ["CREATE", "UPDATE", "DELETE"];

    /// <summary>The suite, or every error found in it (never both).</summary>
    public static (TestSuite? Suite, IReadOnlyList<SuiteError> Errors) Parse(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!InputFile.TryReadText(file, out var text, out var readError))
        {
            return (null, [new SuiteError(file, null, null, null, "", $"cannot read the suite: {readError}")]);
        }

        var documents = YamlJson.ParseDocuments(text);
        if (documents.Count == 0)
        {
            return (null, [new SuiteError(file, null, null, null, "", "the file is empty; a suite is one PolicyTest document")]);
        }

        if (documents[0].IsError)
        {
            return (null, [new SuiteError(file, documents[0].Line, documents[0].Column, null, "", documents[0].Error!)]);
        }

        if (documents.Count > 1)
        {
            return (null, [new SuiteError(file, documents[1].Line, 1, null, "", "a suite file holds one PolicyTest document; put other suites in files of their own")]);
        }

        var locate = new SuiteLocator(file, YamlPositions.Index(text));
        if (documents[0].Node is not JsonObject root)
        {
            return (null, [locate.Error("", $"a suite must be an object with apiVersion: {ApiVersion} and kind: {Kind}")]);
        }

        var reader = new Reader(locate, Path.GetDirectoryName(file) ?? "");
        var suite = reader.ReadSuite(root, file);
        return reader.Errors.Count > 0 ? (null, reader.Errors) : (suite, []);
    }

    /// <summary>Reads the fields of one suite, collecting errors.</summary>
    private sealed class Reader(SuiteLocator locate, string directory)
    {
        private string? _case;

        public List<SuiteError> Errors { get; } = [];

        public TestSuite ReadSuite(JsonObject root, string file)
        {
            Unknown(root, "", SuiteFields);
            var apiVersion = RequiredString(root, "apiVersion", "apiVersion");
            if (apiVersion is not null && apiVersion != ApiVersion)
            {
                Error("apiVersion", $"must be \"{ApiVersion}\", got \"{apiVersion}\"");
            }

            var kind = RequiredString(root, "kind", "kind");
            if (kind is not null && kind != Kind)
            {
                Error("kind", $"must be \"{Kind}\", got \"{kind}\"");
            }

            var name = Path.GetFileName(file);
            foreach (var suffix in new[] { ".test.yaml", ".test.yml", ".yaml", ".yml" })
            {
                if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                {
                    name = name[..^suffix.Length];
                    break;
                }
            }

            if (Object(root, "metadata", "metadata") is { } metadata)
            {
                Unknown(metadata, "metadata", MetadataFields);
                name = OptionalString(metadata, "name", "metadata.name") ?? name;
                OptionalString(metadata, "description", "metadata.description");
            }

            var policies = new List<PolicyUnderTest>();
            if (Array(root, "policies", "policies", required: true) is { } policyArray)
            {
                for (var i = 0; i < policyArray.Count; i++)
                {
                    if (ReadPolicy(policyArray[i], $"policies[{i}]") is { } policy)
                    {
                        policies.Add(policy);
                    }
                }
            }

            var cases = new List<TestCase>();
            if (Array(root, "cases", "cases", required: true) is { } caseArray)
            {
                var names = new HashSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < caseArray.Count; i++)
                {
                    if (ReadCase(caseArray[i], $"cases[{i}]", names) is { } testCase)
                    {
                        cases.Add(testCase);
                    }
                }
            }

            return new TestSuite(file, name, policies, cases, locate);
        }

        private PolicyUnderTest? ReadPolicy(JsonNode? node, string field)
        {
            if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            {
                return new PolicyUnderTest(Resolve(value.GetValue<string>()), [], null, null, field);
            }

            if (node is not JsonObject entry)
            {
                Error(field, "must be a policy file path, or an object with path (and optionally names, settings, mutating)");
                return null;
            }

            Unknown(entry, field, PolicyFields);
            var path = RequiredString(entry, "path", field + ".path");
            var names = StringList(entry, "names", field + ".names");
            var settings = Object(entry, "settings", field + ".settings");
            var mutating = Bool(entry, "mutating", field + ".mutating");
            return path is null ? null : new PolicyUnderTest(Resolve(path), names ?? [], settings, mutating, field);
        }

        private TestCase? ReadCase(JsonNode? node, string field, HashSet<string> names)
        {
            _case = null;
            if (node is not JsonObject entry)
            {
                Error(field, "must be an object with name, object (or objectFile, review, reviewFile) and expect");
                return null;
            }

            var name = RequiredString(entry, "name", field + ".name");
            if (name is not null && !names.Add(name))
            {
                Error(field + ".name", $"\"{name}\" is the name of an earlier case; case names must be unique in a suite");
            }

            _case = name;
            var before = Errors.Count;
            Unknown(entry, field, CaseFields);
            var obj = ObjectOrFile(entry, "object", field);
            var review = ObjectOrFile(entry, "review", field);
            var oldObject = ObjectOrFile(entry, "oldObject", field);
            var operation = OptionalString(entry, "operation", field + ".operation");
            var userInfo = ReadUserInfo(entry, field + ".userInfo");
            var namespaceLabels = StringMap(entry, "namespaceLabels", field + ".namespaceLabels");
            var settings = Object(entry, "settings", field + ".settings");
            var mutating = Bool(entry, "mutating", field + ".mutating");
            var expect = ReadExpectation(entry, field + ".expect");

            if (obj.Given == review.Given)
            {
                Error(field, obj.Given
                    ? "give either object/objectFile (a manifest) or review/reviewFile (an AdmissionReview), not both"
                    : "the request is missing: give object or objectFile (a manifest), or review or reviewFile (an AdmissionReview)");
            }

            if (review.Given)
            {
                foreach (var (value, fieldName) in new (object?, string)[] { (operation, "operation"), (oldObject.Given ? "" : null, "oldObject"), (userInfo, "userInfo") })
                {
                    if (value is not null)
                    {
                        Error($"{field}.{fieldName}", "the AdmissionReview says this itself: set it in the review's request");
                    }
                }
            }

            if (operation is not null && !Operations.Contains(operation, StringComparer.Ordinal))
            {
                Error(field + ".operation", $"must be CREATE, UPDATE or DELETE, got \"{operation}\"");
            }

            operation ??= "CREATE";
            if (oldObject.Given && operation != "UPDATE" && !review.Given)
            {
                Error(field + ".oldObject", operation == "DELETE"
                    ? "a DELETE has no new object: give the object deleted as object"
                    : "an old object belongs to an UPDATE: set operation: UPDATE");
            }

            if (expect is not null && (expect.Patch is not null || expect.PatchedObject is not null) && operation == "DELETE" && !review.Given)
            {
                Error(field + ".expect", "a DELETE has no object to patch: expect no patch or patchedObject");
            }

            return Errors.Count > before || name is null || expect is null
                ? null
                : new TestCase(name, field, obj.Value, oldObject.Value, review.Value, operation, namespaceLabels, userInfo, settings, mutating, expect);
        }

        private TestExpectation? ReadExpectation(JsonObject entry, string field)
        {
            if (Object(entry, "expect", field, required: true) is not { } expect)
            {
                return null;
            }

            Unknown(expect, field, ExpectFields);
            var allowed = Bool(expect, "allowed", field + ".allowed");
            if (allowed is null && expect["allowed"] is null)
            {
                Error(field + ".allowed", "required: true or false, the decision the API server would be told");
            }

            var message = OptionalString(expect, "message", field + ".message");
            if (message is not null && allowed == true)
            {
                Error(field + ".message", "an allowed request has no denial message; expect warnings instead");
            }

            var warnings = StringList(expect, "warnings", field + ".warnings") ?? [];
            var patch = Array(expect, "patch", field + ".patch", required: false);
            var patchedObject = Object(expect, "patchedObject", field + ".patchedObject");
            if ((patch is not null || patchedObject is not null) && allowed == false)
            {
                Error(field + (patch is not null ? ".patch" : ".patchedObject"), "a denied request is not patched; expect allowed: true");
            }

            return allowed is { } decision ? new TestExpectation(decision, message, warnings, patch, patchedObject) : null;
        }

        private UserInfo? ReadUserInfo(JsonObject entry, string field)
        {
            if (Object(entry, "userInfo", field) is not { } user)
            {
                return null;
            }

            Unknown(user, field, UserInfoFields);
            Dictionary<string, IReadOnlyList<string>>? extra = null;
            if (Object(user, "extra", field + ".extra") is { } extraObject)
            {
                extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                foreach (var (key, _) in extraObject)
                {
                    if (StringList(extraObject, key, $"{field}.extra.{key}") is { } values)
                    {
                        extra[key] = values;
                    }
                }
            }

            return new UserInfo
            {
                Username = OptionalString(user, "username", field + ".username"),
                Uid = OptionalString(user, "uid", field + ".uid"),
                Groups = StringList(user, "groups", field + ".groups"),
                Extra = extra,
            };
        }

        /// <summary><c>NAME</c> inline or <c>NAMEFile</c> (a one-document YAML or JSON file beside the suite), not both.</summary>
        private (bool Given, JsonObject? Value) ObjectOrFile(JsonObject entry, string name, string parent)
        {
            var inline = Object(entry, name, $"{parent}.{name}");
            var fileField = $"{parent}.{name}File";
            var path = OptionalString(entry, name + "File", fileField);
            var given = entry[name] is not null || entry[name + "File"] is not null;
            if (entry[name] is not null && entry[name + "File"] is not null)
            {
                Error(fileField, $"give {name} or {name}File, not both");
                return (given, null);
            }

            if (path is null)
            {
                return (given, inline);
            }

            var resolved = Resolve(path);
            if (!InputFile.TryReadText(resolved, out var text, out var readError))
            {
                Error(fileField, $"cannot read {resolved}: {readError}");
                return (given, null);
            }

            var documents = YamlJson.ParseDocuments(text);
            if (documents.Count != 1)
            {
                Error(fileField, $"{resolved} must hold exactly one document, found {documents.Count}");
                return (given, null);
            }

            if (documents[0].IsError)
            {
                Error(fileField, $"{resolved}: {documents[0].DescribeError()}");
                return (given, null);
            }

            if (documents[0].Node is not JsonObject fromFile)
            {
                Error(fileField, $"{resolved} must hold an object");
                return (given, null);
            }

            return (given, fromFile);
        }

        /// <summary>A path relative to the suite's folder, written as the suite's own path is (relative, or absolute).</summary>
        private string Resolve(string path)
        {
            var full = Path.GetFullPath(Path.Combine(directory, path));
            return Path.IsPathRooted(directory) ? full : Path.GetRelativePath(Directory.GetCurrentDirectory(), full);
        }

        private void Error(string field, string message) => Errors.Add(locate.Error(field, message, _case));

        private void Unknown(JsonObject obj, string path, string[] known)
        {
            foreach (var (key, _) in obj)
            {
                if (!known.Contains(key, StringComparer.Ordinal))
                {
                    Error(path.Length == 0 ? key : $"{path}.{key}", $"unknown field (known: {string.Join(", ", known)})");
                }
            }
        }

        private string? RequiredString(JsonObject obj, string name, string field)
        {
            var value = OptionalString(obj, name, field);
            if (obj[name] is null)
            {
                Error(field, "required");
            }

            return value;
        }

        private string? OptionalString(JsonObject obj, string name, string field)
        {
            switch (obj[name])
            {
                case null:
                    return null;
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    return value.GetValue<string>();
                case var other:
                    Error(field, $"must be a string, got {other.ToJsonString()}");
                    return null;
            }
        }

        private bool? Bool(JsonObject obj, string name, string field)
        {
            switch (obj[name])
            {
                case null:
                    return null;
                case JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                    return value.GetValue<bool>();
                case var other:
                    Error(field, $"must be true or false, got {other.ToJsonString()}");
                    return null;
            }
        }

        private JsonObject? Object(JsonObject obj, string name, string field, bool required = false)
        {
            switch (obj[name])
            {
                case null when required:
                    Error(field, "required");
                    return null;
                case null:
                    return null;
                case JsonObject value:
                    return value;
                case var other:
                    Error(field, $"must be an object, got {other.ToJsonString()}");
                    return null;
            }
        }

        private JsonArray? Array(JsonObject obj, string name, string field, bool required)
        {
            switch (obj[name])
            {
                case null when required:
                    Error(field, "required, a list with at least one item");
                    return null;
                case null:
                    return null;
                case JsonArray { Count: 0 } when required:
                    Error(field, "must have at least one item");
                    return null;
                case JsonArray value:
                    return value;
                case var other:
                    Error(field, $"must be a list, got {other.ToJsonString()}");
                    return null;
            }
        }

        private List<string>? StringList(JsonObject obj, string name, string field)
        {
            if (Array(obj, name, field, required: false) is not { } array)
            {
                return null;
            }

            var result = new List<string>();
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
                {
                    result.Add(value.GetValue<string>());
                }
                else
                {
                    Error($"{field}[{i}]", $"must be a string, got {array[i]?.ToJsonString() ?? "null"}");
                }
            }

            return result;
        }

        private Dictionary<string, string>? StringMap(JsonObject obj, string name, string field)
        {
            if (Object(obj, name, field) is not { } map)
            {
                return null;
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in map)
            {
                if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                {
                    result[key] = v.GetValue<string>();
                }
                else
                {
                    Error($"{field}.{key}", $"must be a string (quote numbers and booleans), got {value?.ToJsonString() ?? "null"}");
                }
            }

            return result;
        }
    }
}
