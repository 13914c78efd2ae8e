using System.Collections.Frozen;

namespace PolicyGate.Scripting.Sandbox;

/// <summary>Why something is refused: the diagnostic id and the one line said to the script's author.</summary>
internal sealed record SandboxRule(string Id, string Reason);

/// <summary>Which accesses of a property a member rule refuses.</summary>
internal enum MemberAccess
{
    /// <summary>Any use: call, read, write, method group.</summary>
    Any,

    /// <summary>Only assignments (the setter).</summary>
    Set,
}

/// <summary>A member refused inside a type that is otherwise allowed.</summary>
internal sealed record MemberDenial(MemberAccess Access, SandboxRule Rule);

/// <summary>
/// What a policy script may bind to, as data. The <see cref="SandboxAnalyzer"/> applies it to every symbol the
/// compiled script uses (not to its text), so aliases, <c>using static</c>, extension methods and fully qualified
/// names all meet the same rules. Types are named by their metadata name (<c>Namespace.Type`Arity</c>, nested types
/// as <c>Outer+Inner</c>); members as <c>Type.Member</c> (constructors <c>.ctor</c>, operators <c>op_Name</c>).
/// </summary>
/// <remarks>
/// A type is judged in this order: a denied type, then an allowed type, then an allowed namespace (exact, no
/// sub-namespaces), then the longest denied namespace prefix, else <see cref="NotAllowed"/>. A nested type follows its
/// containing type unless listed itself. Then members: denied members, and types that allow only listed members.
/// </remarks>
internal static class ApiAllowList
{
    /// <summary>Bump whenever these rules (or what the analyzer does with them) change: it invalidates cached compilations.</summary>
    public const string Version = "4";

    private const string Prefix = "is not allowed in policy scripts";

    public static readonly SandboxRule Files = new("PG1001", "files and directories are outside a policy's world");
    public static readonly SandboxRule Processes = new("PG1002", "processes, debuggers and tracing belong to the server");
    public static readonly SandboxRule Environment = new("PG1003", "environment variables and process control belong to the server");
    public static readonly SandboxRule Network = new("PG1004", "a policy decides from the request alone and cannot reach the network");
    public static readonly SandboxRule Reflection = new("PG1005", "reflection and code loading would reach past this allow-list");
    public static readonly SandboxRule Threads = new("PG1006", "a policy runs on the request's thread; threads, tasks, timers and locks would outlive its budget");
    public static readonly SandboxRule Unsafe = new("PG1007", "unsafe code, pointers and native interop bypass the runtime's safety checks");
    public static readonly SandboxRule Console = new("PG1008", "the console carries the server's logs and `policygate run` output; use Warn(...) or AuditAnnotation(...)");
    public static readonly SandboxRule Dynamic = new("PG1009", "'dynamic' binds at run time, past this allow-list");
    public static readonly SandboxRule Security = new("PG1010", "credentials, certificates and cryptography belong to the server");
    public static readonly SandboxRule SharedState = new("PG1011", "it is state shared by every request and policy, which would leak data between them");
    public static readonly SandboxRule Stack = new("PG1012", "it can overflow the stack, which kills the whole server");
    public static readonly SandboxRule RegexTimeout = new("PG1013", "the sandbox sets the regular-expression match timeout: leave it out, or pass a constant TimeSpan.FromMilliseconds(n) of at most 1000");
    public static readonly SandboxRule Attributes = new("PG1014", "attributes change how code is compiled and run; only System.Text.Json.Serialization, System.Diagnostics.CodeAnalysis, Obsolete and Flags attributes are allowed");
    public static readonly SandboxRule OutsideBudget = new("PG1015", "it runs outside any evaluation and its time budget");
    public static readonly SandboxRule Internals = new("PG1016", "PolicyGate's internals are not part of the policy API (PolicyGate.Core.PolicyApi, .Kubernetes and .Admission are)");
    public static readonly SandboxRule NotAllowed = new("PG1017", "only a chosen part of the base library is available to policy scripts (collections, LINQ, text, JSON, math, dates, regular expressions, ...)");
    public static readonly SandboxRule KubernetesClient = new("PG1019", "of KubernetesClient only the models in k8s.Models are available: a policy decides from the request alone, without the API client, its configuration and credentials, or its serializers");
    public static readonly SandboxRule LibraryDelegate = new("PG1018", "a library method passed as a delegate runs without the budget's checks, however often the library calls it; write a lambda instead, x => Method(x)");

    // Special-purpose reasons; they share the id of their category.
    public static readonly SandboxRule StaticMutable = new("PG1011", "a static field or auto-property must be const or static readonly of an immutable type (string, number, enum, Regex, immutable collection): shared mutable state would leak data between requests");
    public static readonly SandboxRule ArrayPool = new("PG1011", "pooled buffers are shared by every request and would leak data between them");
    public static readonly SandboxRule StaticConstructor = new("PG1015", "a static constructor runs once for every request, outside any evaluation and its time budget");
    public static readonly SandboxRule Finalizer = new("PG1015", "a finalizer runs on the finalizer thread, outside any evaluation and its time budget");
    public static readonly SandboxRule StructuralCompare = new("PG1012", "structural comparison recurses through arrays without a stack check, so a cyclic array kills the whole server");
    public static readonly SandboxRule MutableRecord = new("PG1012", "records compare, hash and print every member recursively without a stack check, so a cycle kills the whole server; make record members get-only or init, and fields readonly");
    public static readonly SandboxRule RecordThis = new("PG1012", "handing out 'this' from a record's constructor or init accessor can build a cycle that the record's Equals, GetHashCode and ToString recurse through until the server dies");
    public static readonly SandboxRule LazyCycle = new("PG1012", "a lazily built value can close a cycle that the base library's ToString walks without a stack check, which kills the whole server");
    public static readonly SandboxRule JsonDepth = new("PG1012", "raising the JSON depth limit lets deep documents overflow the stack");
    public static readonly SandboxRule JsonDeepRecursion = new("PG1012", "it recurses once per level of the document with no depth limit, so a deep document overflows the stack and kills the whole server; compare the JSON text instead (a.ToJsonString() == b.ToJsonString(), GetRawText() for a JsonElement) and copy a node with JsonNode.Parse(node.ToJsonString()): these stop with an exception at their depth limits");
    public static readonly SandboxRule ReferenceTuples = new("PG1012", "Tuple hashes, compares and prints its items recursively with no stack check, so a deep chain of tuples kills the whole server (and printing one takes quadratic time); use a value tuple, (a, b)");
    public static readonly SandboxRule NestingDepth = new("PG1012", "code nested this deep could overflow the stack while it is checked; split it into smaller pieces");
    public static readonly SandboxRule StackAlloc = new("PG1012", "a large stackalloc overflows the stack, which cannot be caught and kills the whole server");
    public static readonly SandboxRule CompiledExpressions = new("PG1005", "expression trees compile to new code at run time, past this allow-list");
    public static readonly SandboxRule Plinq = new("PG1006", "parallel LINQ runs the query on other threads, outside the evaluation's budget");
    public static readonly SandboxRule Queryable = new("PG1005", "IQueryable providers compile expression trees at run time, past this allow-list");
    public static readonly SandboxRule BlockingCollection = new("PG1006", "a blocking collection waits for other threads, which a policy does not have");
    public static readonly SandboxRule TimeZones = new("PG1001", "time-zone data is read from files; use DateTime.UtcNow and DateTimeOffset");
    public static readonly SandboxRule TypeMembers = new("PG1005", "of System.Type only Name, FullName, Namespace, ToString, Equals and == are available: the rest is reflection");
    public static readonly SandboxRule TaskMembers = new("PG1006", "of tasks only Task.FromResult, Task.CompletedTask and await are available: a policy runs on the request's thread");
    public static readonly SandboxRule CancellationMembers = new("PG1006", "of a CancellationToken only IsCancellationRequested, ThrowIfCancellationRequested and CanBeCanceled are available: callbacks and wait handles run on other threads");
    public static readonly SandboxRule CultureSetters = new("PG1011", "the current culture is shared with the server and every other policy on the thread");
    public static readonly SandboxRule CompilerServices = new("PG1007", "System.Runtime.CompilerServices is the compiler's business, and holds Unsafe and RuntimeHelpers, which bypass the runtime's safety checks");
    public static readonly SandboxRule InternPool = new("PG1011", "the intern pool is shared by the whole server and never shrinks");
    public static readonly SandboxRule ModelCycle = new("PG1012", "KubernetesClient's models are records that compare, hash and print every member recursively without a stack check: a property of type object, or of the model's own type, could close a cycle or an endless chain that kills the whole server");
    public static readonly SandboxRule KubernetesQuantity = new("PG1015", "KubernetesClient computes a quantity's exact value, so text such as 1e999999999 takes minutes and gigabytes, past the budget's checks; read quantities from the object, or use PolicyGate.Core.Kubernetes.ResourceQuantity.Parse");
    public static readonly SandboxRule KubernetesSharedJson = new("PG1011", "it deserializes with KubernetesClient's shared serializer options, which would keep the script's types for the life of the server");
    public static readonly SandboxRule EncodingProviders = new("PG1011", "registered encodings are shared by the whole server");

    /// <summary>Message for refusing <paramref name="api"/>.</summary>
    public static string Message(string api, SandboxRule rule) => $"'{api}' {Prefix}: {rule.Reason}";

    /// <summary>Namespaces whose every type is allowed (exactly these, not their sub-namespaces), unless denied below.</summary>
    public static readonly FrozenSet<string> AllowedNamespaces = FrozenSet.Create(
        StringComparer.Ordinal,
        "System.Collections",
        "System.Collections.Generic",
        "System.Collections.Immutable",
        "System.Collections.Frozen",
        "System.Collections.ObjectModel",
        "System.Collections.Specialized",
        "System.Collections.Concurrent",
        "System.Linq",
        "System.Text",
        "System.Text.Unicode",
        "System.Text.RegularExpressions",
        "System.Text.Json",
        "System.Text.Json.Nodes",
        "System.Text.Json.Serialization",
        "System.Globalization",
        "System.Numerics",
        "System.Diagnostics.CodeAnalysis",
        "PolicyGate.Core.Admission",
        "PolicyGate.Core.Kubernetes",
        "PolicyGate.Core.PolicyApi",

        // KubernetesClient's models only (not imported: scripts write `using k8s.Models;`); the rest of k8s is denied below.
        KubernetesModelNamespace);

    /// <summary>KubernetesClient's models: allowed, except the members below and properties that could close a cycle (ModelCycle).</summary>
    public const string KubernetesModelNamespace = "k8s.Models";

    /// <summary>Namespace prefixes refused with a reason (the namespace and everything below it); the longest match wins.</summary>
    public static readonly FrozenDictionary<string, SandboxRule> DeniedNamespaces = new Dictionary<string, SandboxRule>(StringComparer.Ordinal)
    {
        ["System.IO"] = Files,
        ["Microsoft.Win32"] = Files,
        ["System.Diagnostics"] = Processes,
        ["System.Reflection"] = Reflection,
        ["System.Runtime"] = Unsafe,
        ["System.Runtime.Loader"] = Reflection,
        ["System.Runtime.CompilerServices"] = CompilerServices,
        ["System.Runtime.Serialization"] = Reflection,
        ["System.Linq.Expressions"] = CompiledExpressions,
        ["System.Net"] = Network,
        ["System.Security"] = Security,
        ["System.Threading"] = Threads,
        ["System.Timers"] = Threads,
        ["System.Buffers"] = NotAllowed,
        ["PolicyGate"] = Internals,
        ["k8s"] = KubernetesClient,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Types allowed although their namespace is not (the namespace <c>System</c> itself is closed).</summary>
    public static readonly FrozenSet<string> AllowedTypes = FrozenSet.Create(
        StringComparer.Ordinal,
        // primitives and the basic value types
        "System.Object", "System.ValueType", "System.Void", "System.Boolean", "System.Char", "System.String",
        "System.Byte", "System.SByte", "System.Int16", "System.UInt16", "System.Int32", "System.UInt32",
        "System.Int64", "System.UInt64", "System.Int128", "System.UInt128", "System.IntPtr", "System.UIntPtr",
        "System.Half", "System.Single", "System.Double", "System.Decimal",
        "System.DateTime", "System.DateTimeOffset", "System.TimeSpan", "System.DateOnly", "System.TimeOnly",
        "System.DateTimeKind", "System.DayOfWeek", "System.Guid", "System.Math", "System.MathF", "System.MidpointRounding",
        "System.Convert", "System.Base64FormattingOptions", "System.Nullable", "System.Nullable`1", "System.Enum",
        "System.Array", "System.ArraySegment`1", "System.Span`1", "System.ReadOnlySpan`1", "System.Memory`1",
        "System.ReadOnlyMemory`1", "System.MemoryExtensions", "System.Index", "System.Range", "System.StringComparer",
        "System.StringComparison", "System.StringSplitOptions", "System.CharEnumerator", "System.FormattableString",
        "System.Random", "System.Uri", "System.UriKind", "System.UriComponents", "System.UriFormat", "System.UriPartial",
        "System.UriHostNameType", "System.Version", "System.BitConverter", "System.HashCode", "System.TypeCode",
        "System.Type", "System.Delegate", "System.MulticastDelegate", "System.EventArgs", "System.EventHandler",
        "System.EventHandler`1", "System.ObsoleteAttribute", "System.FlagsAttribute",
        // value tuples (reference tuples are denied below)
        "System.ValueTuple", "System.ValueTuple`1",
        "System.ValueTuple`2", "System.ValueTuple`3", "System.ValueTuple`4", "System.ValueTuple`5", "System.ValueTuple`6",
        "System.ValueTuple`7", "System.ValueTuple`8", "System.TupleExtensions",
        // delegates
        "System.Action", "System.Action`1", "System.Action`2", "System.Action`3", "System.Action`4", "System.Action`5",
        "System.Action`6", "System.Action`7", "System.Action`8", "System.Func`1", "System.Func`2", "System.Func`3",
        "System.Func`4", "System.Func`5", "System.Func`6", "System.Func`7", "System.Func`8", "System.Func`9",
        "System.Predicate`1", "System.Comparison`1", "System.Converter`2",
        // common interfaces
        "System.IEquatable`1", "System.IComparable", "System.IComparable`1", "System.IFormattable", "System.IFormatProvider",
        "System.ISpanFormattable", "System.IUtf8SpanFormattable", "System.IParsable`1", "System.ISpanParsable`1",
        "System.IUtf8SpanParsable`1", "System.ICloneable", "System.IDisposable", "System.IAsyncDisposable",
        // outside the open namespaces
        "System.Diagnostics.Stopwatch",
        "System.Net.IPAddress", "System.Net.IPNetwork", "System.Net.WebUtility",
        "System.Threading.CancellationToken",
        "System.Threading.Tasks.Task", "System.Threading.Tasks.Task`1", "System.Threading.Tasks.ValueTask",
        "System.Threading.Tasks.ValueTask`1",
        "System.Runtime.CompilerServices.DefaultInterpolatedStringHandler",
        "System.Runtime.CompilerServices.ITuple");

    /// <summary>Types in the namespace <c>System</c> whose name ends so are allowed: the exception types.</summary>
    public const string AllowedSystemTypeSuffix = "Exception";

    /// <summary>Types refused with their own reason, checked before anything is allowed.</summary>
    public static readonly FrozenDictionary<string, SandboxRule> DeniedTypes = new Dictionary<string, SandboxRule>(StringComparer.Ordinal)
    {
        ["System.Environment"] = Environment,
        ["System.AppContext"] = Environment,
        ["System.AppDomain"] = Environment,
        ["System.GC"] = Environment,
        ["System.Runtime.GCSettings"] = Environment,
        ["System.Activator"] = Reflection,
        ["System.Console"] = Console,
        ["System.ConsoleKey"] = Console,
        ["System.ConsoleKeyInfo"] = Console,
        ["System.ConsoleColor"] = Console,
        ["System.TimeZoneInfo"] = TimeZones,
        ["System.TimeProvider"] = Threads,
        ["System.Lazy`1"] = LazyCycle,
        ["System.Lazy`2"] = LazyCycle,
        ["System.Tuple"] = ReferenceTuples,
        ["System.Tuple`1"] = ReferenceTuples,
        ["System.Tuple`2"] = ReferenceTuples,
        ["System.Tuple`3"] = ReferenceTuples,
        ["System.Tuple`4"] = ReferenceTuples,
        ["System.Tuple`5"] = ReferenceTuples,
        ["System.Tuple`6"] = ReferenceTuples,
        ["System.Tuple`7"] = ReferenceTuples,
        ["System.Tuple`8"] = ReferenceTuples,
        ["System.Runtime.InteropServices.DllImportAttribute"] = Unsafe,
        ["System.Runtime.CompilerServices.ModuleInitializerAttribute"] = Attributes,
        ["System.Runtime.CompilerServices.MethodImplAttribute"] = Attributes,
        ["System.Runtime.CompilerServices.SkipLocalsInitAttribute"] = Attributes,
        ["System.Diagnostics.CodeAnalysis.ExperimentalAttribute"] = NotAllowed,
        ["System.ArgIterator"] = Unsafe,
        ["System.TypedReference"] = Unsafe,
        ["System.RuntimeArgumentHandle"] = Unsafe,
        ["System.Buffer"] = Unsafe,
        ["System.Linq.ParallelEnumerable"] = Plinq,
        ["System.Linq.ParallelQuery"] = Plinq,
        ["System.Linq.ParallelQuery`1"] = Plinq,
        ["System.Linq.OrderedParallelQuery`1"] = Plinq,
        ["System.Linq.ParallelExecutionMode"] = Plinq,
        ["System.Linq.ParallelMergeOptions"] = Plinq,
        ["System.Linq.Queryable"] = Queryable,
        ["System.Linq.IQueryable"] = Queryable,
        ["System.Linq.IQueryable`1"] = Queryable,
        ["System.Linq.IOrderedQueryable"] = Queryable,
        ["System.Linq.IOrderedQueryable`1"] = Queryable,
        ["System.Linq.IQueryProvider"] = Queryable,
        ["System.Linq.EnumerableQuery"] = Queryable,
        ["System.Linq.EnumerableQuery`1"] = Queryable,
        ["System.Linq.EnumerableExecutor"] = Queryable,
        ["System.Linq.EnumerableExecutor`1"] = Queryable,
        ["System.Collections.Concurrent.BlockingCollection`1"] = BlockingCollection,
        ["System.Buffers.ArrayPool`1"] = ArrayPool,
        ["System.Buffers.MemoryPool`1"] = ArrayPool,
        ["System.Collections.StructuralComparisons"] = StructuralCompare,
        ["System.Collections.IStructuralEquatable"] = StructuralCompare,
        ["System.Collections.IStructuralComparable"] = StructuralCompare,
        ["System.Text.RegularExpressions.RegexRunner"] = Reflection,
        ["System.Text.RegularExpressions.RegexRunnerFactory"] = Reflection,
        ["System.Text.RegularExpressions.RegexCompilationInfo"] = Reflection,
        ["System.Text.RegularExpressions.GeneratedRegexAttribute"] = Attributes,
        ["System.Text.EncodingProvider"] = EncodingProviders,
        ["System.Text.Json.Serialization.JsonSerializerContext"] = Reflection,
        ["PolicyGate.Core.Admission.AdmissionJson"] = Internals,
        ["k8s.KubernetesClientConfiguration"] = Security,
        ["k8s.Models.IntOrStringJsonConverter"] = KubernetesClient,
        ["k8s.Models.IntOrStringYamlConverter"] = KubernetesClient,
        ["k8s.Models.ResourceQuantityJsonConverter"] = KubernetesClient,
        ["k8s.Models.ResourceQuantityYamlConverter"] = KubernetesClient,
        ["k8s.Models.KubernetesDateTimeYamlConverter"] = KubernetesClient,
        ["k8s.Models.KubernetesDateTimeOffsetYamlConverter"] = KubernetesClient,
        ["k8s.Models.V1PatchJsonConverter"] = KubernetesClient,
        ["k8s.Models.V1Status+V1StatusObjectViewConverter"] = KubernetesClient,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Allowed types of which only the listed members may be used.</summary>
    public static readonly FrozenDictionary<string, (FrozenSet<string> Members, SandboxRule Rule)> AllowedMembersOnly =
        new Dictionary<string, (FrozenSet<string>, SandboxRule)>(StringComparer.Ordinal)
        {
            ["System.Type"] = (Set("Name", "FullName", "Namespace", "ToString", "Equals", "GetHashCode", "op_Equality", "op_Inequality"), TypeMembers),
            ["System.Threading.Tasks.Task"] = (Set("FromResult", "CompletedTask", "FromException", "FromCanceled", "GetAwaiter", "IsCompleted", "IsCompletedSuccessfully", "IsFaulted", "IsCanceled"), TaskMembers),
            ["System.Threading.Tasks.Task`1"] = (Set("GetAwaiter", "IsCompleted", "IsCompletedSuccessfully", "IsFaulted", "IsCanceled"), TaskMembers),
            ["System.Threading.Tasks.ValueTask"] = (Set(".ctor", "FromResult", "CompletedTask", "FromException", "FromCanceled", "GetAwaiter", "IsCompleted", "IsCompletedSuccessfully", "IsFaulted", "IsCanceled", "Equals", "GetHashCode", "op_Equality", "op_Inequality"), TaskMembers),
            ["System.Threading.Tasks.ValueTask`1"] = (Set(".ctor", "GetAwaiter", "IsCompleted", "IsCompletedSuccessfully", "IsFaulted", "IsCanceled", "Equals", "GetHashCode", "ToString", "op_Equality", "op_Inequality"), TaskMembers),
            ["System.Threading.CancellationToken"] = (Set(".ctor", "None", "IsCancellationRequested", "ThrowIfCancellationRequested", "CanBeCanceled", "Equals", "GetHashCode", "op_Equality", "op_Inequality"), CancellationMembers),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Members of refused types that stay usable because an allowed type inherits them: <c>typeof(X).Name</c> binds to
    /// <c>MemberInfo.Name</c>. Every other way to a MemberInfo goes through a refused API first.
    /// </summary>
    public static readonly FrozenSet<string> InheritedMembers = FrozenSet.Create(StringComparer.Ordinal, "System.Reflection.MemberInfo.Name");

    /// <summary>Members refused inside allowed types (<c>Type.Member</c>, or <c>Type.*</c> for every member).</summary>
    public static readonly FrozenDictionary<string, MemberDenial> DeniedMembers = new Dictionary<string, MemberDenial>(StringComparer.Ordinal)
    {
        ["System.Exception.TargetSite"] = new(MemberAccess.Any, Reflection),
        ["System.Delegate.Method"] = new(MemberAccess.Any, Reflection),
        ["System.Delegate.Target"] = new(MemberAccess.Any, Reflection),
        ["System.Delegate.DynamicInvoke"] = new(MemberAccess.Any, Reflection),
        ["System.Delegate.CreateDelegate"] = new(MemberAccess.Any, Reflection),
        ["System.Delegate.GetMethodInfo"] = new(MemberAccess.Any, Reflection),
        ["System.MulticastDelegate.Method"] = new(MemberAccess.Any, Reflection),
        ["System.MulticastDelegate.Target"] = new(MemberAccess.Any, Reflection),
        ["System.MulticastDelegate.DynamicInvoke"] = new(MemberAccess.Any, Reflection),
        ["System.Text.RegularExpressions.Regex.InfiniteMatchTimeout"] = new(MemberAccess.Any, RegexTimeout),
        ["System.Text.RegularExpressions.Regex.CompileToAssembly"] = new(MemberAccess.Any, Reflection),
        ["System.Text.RegularExpressions.Regex.CacheSize"] = new(MemberAccess.Set, SharedState),
        ["System.String.Intern"] = new(MemberAccess.Any, InternPool),
        ["System.String.IsInterned"] = new(MemberAccess.Any, InternPool),
        ["System.Text.Encoding.RegisterProvider"] = new(MemberAccess.Any, EncodingProviders),
        ["System.Globalization.CultureInfo.CurrentCulture"] = new(MemberAccess.Set, CultureSetters),
        ["System.Globalization.CultureInfo.CurrentUICulture"] = new(MemberAccess.Set, CultureSetters),
        ["System.Globalization.CultureInfo.DefaultThreadCurrentCulture"] = new(MemberAccess.Set, CultureSetters),
        ["System.Globalization.CultureInfo.DefaultThreadCurrentUICulture"] = new(MemberAccess.Set, CultureSetters),
        ["System.Text.Json.JsonSerializerOptions.MaxDepth"] = new(MemberAccess.Set, JsonDepth),
        ["System.Text.Json.JsonReaderOptions.MaxDepth"] = new(MemberAccess.Set, JsonDepth),
        ["System.Text.Json.JsonDocumentOptions.MaxDepth"] = new(MemberAccess.Set, JsonDepth),
        ["System.Text.Json.JsonWriterOptions.MaxDepth"] = new(MemberAccess.Set, JsonDepth),
        ["System.Text.Json.Nodes.JsonNode.DeepClone"] = new(MemberAccess.Any, JsonDeepRecursion),
        ["System.Text.Json.Nodes.JsonNode.DeepEquals"] = new(MemberAccess.Any, JsonDeepRecursion),
        ["System.Text.Json.JsonElement.DeepEquals"] = new(MemberAccess.Any, JsonDeepRecursion),
        ["k8s.Models.ResourceQuantity..ctor"] = new(MemberAccess.Any, KubernetesQuantity),
        ["k8s.Models.ResourceQuantity.op_Implicit"] = new(MemberAccess.Any, KubernetesQuantity),
        ["k8s.Models.V1Patch..ctor"] = new(MemberAccess.Any, ModelCycle),
        ["k8s.Models.V1Status.ObjectView"] = new(MemberAccess.Any, KubernetesSharedJson),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Members of these types that take a parameter of the given type are refused: every Regex constructor and
    /// static method that takes a <c>TimeSpan matchTimeout</c>, unless the argument is a constant
    /// <c>TimeSpan.FromMilliseconds(n)</c> or <c>TimeSpan.FromSeconds(n)</c> of at most
    /// <see cref="MaxConstantTimeoutMilliseconds"/> (shorter than the sandbox's own limit, so harmless).
    /// </summary>
    public static readonly FrozenDictionary<string, (string ParameterType, SandboxRule Rule)> DeniedByParameterType =
        new Dictionary<string, (string, SandboxRule)>(StringComparer.Ordinal)
        {
            ["System.Text.RegularExpressions.Regex"] = ("System.TimeSpan", RegexTimeout),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    public const double MaxConstantTimeoutMilliseconds = 1000;

    /// <summary>
    /// How deeply a script's syntax may nest (a left-nested chain of binary operators, such as a long string
    /// concatenation, and an else-if chain count as one level). Roslyn's operation trees are built recursively, so
    /// a script nested far deeper (thousands of lambdas in lambdas) would overflow the stack while it is checked.
    /// </summary>
    public const int MaxSyntaxDepth = 256;

    /// <summary>Attribute types a script may apply (besides those in <see cref="AllowedAttributeNamespaces"/>).</summary>
    public static readonly FrozenSet<string> AllowedAttributeTypes = FrozenSet.Create(StringComparer.Ordinal, "System.ObsoleteAttribute", "System.FlagsAttribute");

    public static readonly FrozenSet<string> AllowedAttributeNamespaces = FrozenSet.Create(StringComparer.Ordinal, "System.Text.Json.Serialization", "System.Diagnostics.CodeAnalysis");

    /// <summary>
    /// Types (besides strings, numbers and enums) that a <c>static readonly</c> field may hold because nothing can change
    /// them; generic ones only when their type arguments qualify too.
    /// </summary>
    public static readonly FrozenSet<string> ImmutableTypes = FrozenSet.Create(
        StringComparer.Ordinal,
        "System.Text.RegularExpressions.Regex", "System.Uri", "System.Version", "System.Guid", "System.DateTime",
        "System.DateTimeOffset", "System.TimeSpan", "System.DateOnly", "System.TimeOnly", "System.Decimal",
        "System.Int128", "System.UInt128", "System.Half", "System.Nullable`1", "System.Collections.Generic.KeyValuePair`2",
        "System.StringComparer", "System.Text.CompositeFormat");

    /// <summary>Namespaces whose generic types are immutable collections (see <see cref="ImmutableTypes"/>).</summary>
    public static readonly FrozenSet<string> ImmutableNamespaces = FrozenSet.Create(StringComparer.Ordinal, "System.Collections.Immutable", "System.Collections.Frozen");

    private static FrozenSet<string> Set(params string[] names) => names.ToFrozenSet(StringComparer.Ordinal);
}
