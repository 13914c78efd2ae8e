using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PolicyGate.Scripting.Compilation;

namespace PolicyGate.Scripting.Sandbox;

/// <summary>
/// Checks a policy script's compilation against the <see cref="ApiAllowList"/> before it is emitted. It judges what
/// the code binds to: every name the script writes (types, members, aliases, <c>using static</c>), every operation
/// the compiler binds for it, implicit ones included (foreach's GetEnumerator, deconstruction, await, collection
/// initializers' Add, LINQ query methods, user-defined operators and conversions, method groups), every type argument
/// and array element type, plus the constructs that are refused whatever they bind to (unsafe code, pointers,
/// stackalloc, extern, lock, dynamic, finalizers, static constructors, static mutable state, mutable records,
/// attributes). One pass over the syntax and the operation trees: linear in the size of the script.
/// </summary>
internal sealed class SandboxAnalyzer
{
    private static readonly SymbolDisplayFormat ApiFormat = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters);

    private readonly Microsoft.CodeAnalysis.Compilation _compilation;
    private readonly Dictionary<ITypeSymbol, Violation?> _types = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<INamedTypeSymbol, SandboxRule?> _definitions = new(SymbolEqualityComparer.Default);
    private readonly List<Finding> _findings = [];
    private SemanticModel _model = null!;

    private SandboxAnalyzer(Microsoft.CodeAnalysis.Compilation compilation)
    {
        _compilation = compilation;
    }

    private readonly record struct Violation(string Api, SandboxRule Rule);

    private readonly record struct Finding(int Line, int Column, string Api, SandboxRule Rule);

    /// <summary>
    /// Every refused use in the script, once per line and API, in source order; empty when the script keeps to
    /// the allow-list.
    /// </summary>
    /// <param name="origin">Names the script in the diagnostics (as <see cref="PolicyDiagnostic.File"/>).</param>
    public static IReadOnlyList<PolicyDiagnostic> Analyze(Microsoft.CodeAnalysis.Compilation compilation, string origin)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        var analyzer = new SandboxAnalyzer(compilation);
        foreach (var tree in compilation.SyntaxTrees)
        {
            analyzer.AnalyzeTree(tree);
        }

        var seen = new HashSet<(int, string)>();
        return analyzer._findings
            .GroupBy(f => (f.Line, f.Rule.Id))
            .SelectMany(line => line.Where(f => !line.Any(other => Refines(other.Api, f.Api))))
            .OrderBy(f => f.Line)
            .ThenBy(f => f.Column)
            .Where(f => seen.Add((f.Line, f.Api)))
            .Select(f => new PolicyDiagnostic(origin, f.Line, f.Column, f.Rule.Id, ApiAllowList.Message(f.Api, f.Rule)))
            .ToList();
    }

    /// <summary>Whether <paramref name="api"/> names a member of <paramref name="type"/>: the type need not be named too.</summary>
    private static bool Refines(string api, string type) =>
        api.Length > type.Length + 1 && api[type.Length] == '.' && api.StartsWith(type, StringComparison.Ordinal);

    private void AnalyzeTree(SyntaxTree tree)
    {
        var root = tree.GetRoot();
        if (TooDeep(root) is { } deepest)
        {
            Add(deepest.GetLocation(), $"nesting deeper than {ApiAllowList.MaxSyntaxDepth} levels", ApiAllowList.NestingDepth);
            return;
        }

        _model = _compilation.GetSemanticModel(tree);
        foreach (var node in root.DescendantNodesAndSelf(n => !IsNameOf(n)))
        {
            CheckSyntax(node);
            if (_model.GetOperation(node) is { Parent: null } operation)
            {
                WalkOperations(operation);
            }
        }
    }

    /// <summary>The first node nested deeper than the allow-list permits, found without recursion; null if none.</summary>
    private static SyntaxNode? TooDeep(SyntaxNode root)
    {
        var stack = new Stack<(SyntaxNode Node, int Depth)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            if (depth > ApiAllowList.MaxSyntaxDepth)
            {
                return node;
            }

            foreach (var child in node.ChildNodes())
            {
                var flat = (node is BinaryExpressionSyntax binary && child == binary.Left && child is BinaryExpressionSyntax)
                    || (node is ElseClauseSyntax && child is IfStatementSyntax)
                    || (node is IfStatementSyntax && child is ElseClauseSyntax);
                stack.Push((child, flat ? depth : depth + 1));
            }
        }

        return null;
    }

    private bool IsNameOf(SyntaxNode node) =>
        node is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } } invocation
        && _model.GetSymbolInfo(invocation.Expression).Symbol is null;

    // ---- syntax: names, declarations and refused constructs ----

    private void CheckSyntax(SyntaxNode node)
    {
        switch (node)
        {
            case IdentifierNameSyntax { IsVar: true }:
                break; // what 'var' stands for is checked where the value comes from
            case SimpleNameSyntax name:
                CheckName(name);
                break;
            case AttributeSyntax attribute:
                CheckAttribute(attribute);
                break;
            case UnsafeStatementSyntax s:
                Add(s.UnsafeKeyword.GetLocation(), "unsafe", ApiAllowList.Unsafe);
                break;
            case FixedStatementSyntax s:
                Add(s.FixedKeyword.GetLocation(), "fixed", ApiAllowList.Unsafe);
                break;
            case PointerTypeSyntax or FunctionPointerTypeSyntax:
                Add(node.GetLocation(), node.ToString(), ApiAllowList.Unsafe);
                break;
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.AddressOfExpression or (int)SyntaxKind.PointerIndirectionExpression } u:
                Add(u.OperatorToken.GetLocation(), u.OperatorToken.Text + " (pointer operator)", ApiAllowList.Unsafe);
                break;
            case MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.PointerMemberAccessExpression } m:
                Add(m.OperatorToken.GetLocation(), "-> (pointer operator)", ApiAllowList.Unsafe);
                break;
            case StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax:
                Add(node.GetFirstToken().GetLocation(), "stackalloc", ApiAllowList.StackAlloc);
                break;
            case MakeRefExpressionSyntax or RefTypeExpressionSyntax or RefValueExpressionSyntax:
                Add(node.GetFirstToken().GetLocation(), node.GetFirstToken().Text, ApiAllowList.Unsafe);
                break;
            case ExpressionSyntax when node.IsKind(SyntaxKind.ArgListExpression):
                Add(node.GetLocation(), "__arglist", ApiAllowList.Unsafe);
                break;
            case LockStatementSyntax s:
                Add(s.LockKeyword.GetLocation(), "lock", ApiAllowList.Threads);
                break;
            case DestructorDeclarationSyntax d:
                Add(d.Identifier.GetLocation(), "~" + d.Identifier.ValueText + "()", ApiAllowList.Finalizer);
                break;
            case ConstructorDeclarationSyntax c when c.Modifiers.Any(SyntaxKind.StaticKeyword):
                Add(c.Identifier.GetLocation(), "static " + c.Identifier.ValueText + "()", ApiAllowList.StaticConstructor);
                break;
            case VariableDeclaratorSyntax { Parent.Parent: BaseFieldDeclarationSyntax } declarator:
                CheckStaticStorage(_model.GetDeclaredSymbol(declarator), declarator.Identifier.GetLocation());
                break;
            case PropertyDeclarationSyntax p when p.Modifiers.Any(SyntaxKind.StaticKeyword):
                CheckStaticStorage(_model.GetDeclaredSymbol(p), p.Identifier.GetLocation());
                break;
            case RecordDeclarationSyntax r:
                CheckRecord(r);
                break;
        }

        if (node is MemberDeclarationSyntax member)
        {
            CheckModifiers(member.Modifiers);
        }
        else if (node is LocalFunctionStatementSyntax local)
        {
            CheckModifiers(local.Modifiers);
        }
    }

    private void CheckModifiers(SyntaxTokenList modifiers)
    {
        foreach (var modifier in modifiers)
        {
            if (modifier.IsKind(SyntaxKind.UnsafeKeyword) || modifier.IsKind(SyntaxKind.ExternKeyword) || modifier.IsKind(SyntaxKind.FixedKeyword))
            {
                Add(modifier.GetLocation(), modifier.Text, ApiAllowList.Unsafe);
            }
        }
    }

    private void CheckName(SimpleNameSyntax name)
    {
        var info = _model.GetSymbolInfo(name);
        var symbol = info.Symbol ?? (info.CandidateSymbols.Length > 0 ? info.CandidateSymbols[0] : null);
        if (symbol is IAliasSymbol alias)
        {
            symbol = alias.Target;
        }

        switch (symbol)
        {
            case null:
                // A type the references forward to an assembly a script does not get (Console, Process, HttpClient...).
                Report(name.GetLocation(), CheckUnresolved(name));
                break;
            case ITypeSymbol type:
                Report(name.GetLocation(), CheckType(type));
                break;
            case IMethodSymbol or IPropertySymbol or IFieldSymbol or IEventSymbol:
                Report(name.GetLocation(), CheckMember(symbol, write: false, arguments: null, fromSyntax: true));
                break;
        }
    }

    /// <summary>
    /// A name that does not bind, judged by what it would be: <c>System.Diagnostics.Process</c> when written after a
    /// namespace, or a denied type (<c>Console</c>) in a namespace the script imports. Anything else is left to the
    /// compiler's own error, so a typo is reported as a typo.
    /// </summary>
    private Violation? CheckUnresolved(SimpleNameSyntax name)
    {
        var metadataName = name.Identifier.ValueText + (name is GenericNameSyntax generic ? "`" + generic.Arity : "");
        var left = name.Parent switch
        {
            QualifiedNameSyntax q when q.Right == name => q.Left,
            MemberAccessExpressionSyntax m when m.Name == name => m.Expression,
            AliasQualifiedNameSyntax a when a.Name == name => a.Alias,
            _ => null,
        };
        if (left is not null)
        {
            if (_model.GetSymbolInfo(left).Symbol is not INamespaceSymbol { IsGlobalNamespace: false } ns)
            {
                return null;
            }

            var qualified = ns.ToDisplayString();
            var key = qualified + "." + metadataName;
            var rule = ApiAllowList.DeniedTypes.GetValueOrDefault(key)
                ?? (ApiAllowList.AllowedTypes.Contains(key) || ApiAllowList.AllowedNamespaces.Contains(qualified) ? null : DeniedNamespace(qualified));
            return rule is null ? null : new Violation(qualified + "." + name.Identifier.ValueText, rule);
        }

        foreach (var imported in Imports())
        {
            if (ApiAllowList.DeniedTypes.TryGetValue(imported + "." + metadataName, out var rule))
            {
                return new Violation(imported + "." + name.Identifier.ValueText, rule);
            }
        }

        return null;
    }

    private List<string>? _imports;

    /// <summary>The namespaces the script imports: the engine's imports and its own <c>using</c> directives.</summary>
    private List<string> Imports()
    {
        if (_imports is null)
        {
            _imports = [.. ((CSharpCompilationOptions)_compilation.Options).Usings];
            foreach (var tree in _compilation.SyntaxTrees)
            {
                _imports.AddRange(tree.GetCompilationUnitRoot().Usings
                    .Where(u => u.Alias is null && u.StaticKeyword.IsKind(SyntaxKind.None) && u.Name is not null)
                    .Select(u => u.Name!.ToString().Replace("global::", "", StringComparison.Ordinal)));
            }
        }

        return _imports;
    }

    private void CheckAttribute(AttributeSyntax attribute)
    {
        var type = (_model.GetSymbolInfo(attribute).Symbol as IMethodSymbol)?.ContainingType
            ?? _model.GetTypeInfo(attribute).Type as INamedTypeSymbol;
        if (type is null || type.TypeKind == TypeKind.Error || IsSource(type))
        {
            return;
        }

        if (CheckType(type) is { } violation)
        {
            Report(attribute.GetLocation(), violation);
            return;
        }

        var definition = type.OriginalDefinition;
        if (!ApiAllowList.AllowedAttributeTypes.Contains(Key(definition))
            && !ApiAllowList.AllowedAttributeNamespaces.Contains(NamespaceOf(definition)))
        {
            Add(attribute.GetLocation(), Display(definition), ApiAllowList.Attributes);
        }
    }

    /// <summary>A static field, field-like event or auto-property: only constants and immutable read-only values.</summary>
    private void CheckStaticStorage(ISymbol? symbol, Location location)
    {
        if (symbol is IFieldSymbol { Type.TypeKind: TypeKind.Error } or IPropertySymbol { Type.TypeKind: TypeKind.Error })
        {
            return; // the compiler reports the unknown type
        }

        switch (symbol)
        {
            case IFieldSymbol { IsStatic: true, IsConst: false } field when !(field.IsReadOnly && IsImmutable(field.Type)):
                Add(location, "static " + OwnName(field), ApiAllowList.StaticMutable);
                break;
            case IEventSymbol { IsStatic: true } e:
                Add(location, "static " + OwnName(e), ApiAllowList.StaticMutable);
                break;
            case IPropertySymbol { IsStatic: true } property:
                var backing = property.ContainingType.GetMembers().OfType<IFieldSymbol>()
                    .FirstOrDefault(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));
                if (backing is not null && !(backing.IsReadOnly && IsImmutable(property.Type)))
                {
                    Add(location, "static " + OwnName(property), ApiAllowList.StaticMutable);
                }

                break;
        }
    }

    private static bool CannotHoldCycle(ITypeSymbol type) =>
        type.IsUnmanagedType || type.SpecialType == SpecialType.System_String;

    private void CheckRecord(RecordDeclarationSyntax record)
    {
        if (_model.GetDeclaredSymbol(record) is not { } type)
        {
            return;
        }

        foreach (var member in type.GetMembers())
        {
            var location = member.Locations.FirstOrDefault(l => l.IsInSource && l.SourceTree == record.SyntaxTree);
            if (location is null)
            {
                continue;
            }

            switch (member)
            {
                // A record struct's own numbers and strings cannot hold a cycle (positional record structs are mutable
                // by default, and Point(int X, int Y) is the commonest record there is).
                case IPropertySymbol { IsStatic: false } p when type.IsValueType && CannotHoldCycle(p.Type):
                case IFieldSymbol { IsStatic: false } f when type.IsValueType && CannotHoldCycle(f.Type):
                    break;
                case IPropertySymbol { IsStatic: false, SetMethod: { IsInitOnly: false } } property:
                    Add(location, OwnName(property) + " { set; }", ApiAllowList.MutableRecord);
                    break;
                case IFieldSymbol { IsStatic: false, IsConst: false, IsReadOnly: false, IsImplicitlyDeclared: false } field:
                    Add(location, OwnName(field) + " (not readonly)", ApiAllowList.MutableRecord);
                    break;
            }
        }

        // 'this' handed out while the record is built can close a cycle through its init-only members.
        foreach (var node in record.Members)
        {
            IEnumerable<SyntaxNode> bodies = node switch
            {
                ConstructorDeclarationSyntax c when !c.Modifiers.Any(SyntaxKind.StaticKeyword) => [c],
                PropertyDeclarationSyntax { AccessorList: { } accessors } => accessors.Accessors.Where(a => a.IsKind(SyntaxKind.InitAccessorDeclaration)),
                _ => [],
            };
            foreach (var body in bodies)
            {
                if (_model.GetOperation(body) is not { } operation)
                {
                    continue;
                }

                foreach (var op in operation.DescendantsAndSelf())
                {
                    if (op is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }
                        && !(op.Parent is IMemberReferenceOperation m && m.Instance == op)
                        && !(op.Parent is IInvocationOperation i && i.Instance == op))
                    {
                        Add(op.Syntax.GetLocation(), "this", ApiAllowList.RecordThis);
                    }
                }
            }
        }
    }

    // ---- operations: what the compiler bound, implicit calls included ----

    private void WalkOperations(IOperation root)
    {
        var stack = new Stack<IOperation>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var op = stack.Pop();
            if (op is INameOfOperation)
            {
                continue;
            }

            CheckOperation(op);
            foreach (var child in op.ChildOperations)
            {
                stack.Push(child);
            }
        }
    }

    private void CheckOperation(IOperation op)
    {
        var before = _findings.Count;
        var at = NameOf(op.Syntax).GetLocation();
        switch (op)
        {
            case IInvocationOperation i:
                Report(at, CheckMember(i.TargetMethod, write: false, i.Arguments, fromSyntax: false));
                break;
            case IObjectCreationOperation { Constructor: { } constructor } o:
                Report(at, CheckMember(constructor, write: false, o.Arguments, fromSyntax: false));
                break;
            case IPropertyReferenceOperation p:
                Report(at, CheckMember(p.Property, IsWrite(p), p.Arguments, fromSyntax: false));
                break;
            case IFieldReferenceOperation f:
                Report(at, CheckMember(f.Field, IsWrite(f), null, fromSyntax: false));
                break;
            case IEventReferenceOperation e:
                Report(at, CheckMember(e.Event, write: false, null, fromSyntax: false));
                break;
            case IMethodReferenceOperation m:
                Report(at, CheckMember(m.Method, write: false, null, fromSyntax: false) ?? CheckDelegateTarget(m.Method));
                break;
            case IUnaryOperation { OperatorMethod: { } method }:
                Report(at, CheckMember(method, write: false, null, fromSyntax: false));
                break;
            case IBinaryOperation { OperatorMethod: { } method }:
                Report(at, CheckMember(method, write: false, null, fromSyntax: false));
                break;
            case IIncrementOrDecrementOperation { OperatorMethod: { } method }:
                Report(at, CheckMember(method, write: false, null, fromSyntax: false));
                break;
            case IConversionOperation { OperatorMethod: { } method }:
                Report(at, CheckMember(method, write: false, null, fromSyntax: false));
                break;
            case ICompoundAssignmentOperation c:
                CheckMethods(at, c.OperatorMethod, c.InConversion.MethodSymbol, c.OutConversion.MethodSymbol);
                break;
            case IRangeOperation { Method: { } method }:
                Report(at, CheckMember(method, write: false, null, fromSyntax: false));
                break;
            case IImplicitIndexerReferenceOperation ii:
                Report(at, CheckMember(ii.LengthSymbol, write: false, null, fromSyntax: false));
                Report(at, CheckMember(ii.IndexerSymbol, write: false, null, fromSyntax: false));
                break;
            case ICollectionExpressionOperation { ConstructMethod: { } method }:
                Report(at, CheckMember(method, write: false, null, fromSyntax: false));
                break;
            case IRecursivePatternOperation r:
                Report(at, CheckType(r.MatchedType));
                if (r.DeconstructSymbol is { } deconstruct)
                {
                    Report(at, CheckMember(deconstruct, write: false, null, fromSyntax: false));
                }

                break;
            case IDeclarationPatternOperation d:
                Report(at, CheckType(d.MatchedType));
                break;
            case ITypePatternOperation t:
                Report(at, CheckType(t.MatchedType));
                break;
            case ITypeOfOperation t:
                Report(at, CheckType(t.TypeOperand));
                break;
            case ISizeOfOperation s:
                Report(at, CheckType(s.TypeOperand));
                break;
            case IIsTypeOperation t:
                Report(at, CheckType(t.TypeOperand));
                break;
            case ICatchClauseOperation c:
                Report(at, CheckType(c.ExceptionType));
                break;
            case IForEachLoopOperation f when f.Syntax is CommonForEachStatementSyntax statement:
                var loop = _model.GetForEachStatementInfo(statement);
                CheckMethods(at, loop.GetEnumeratorMethod, loop.MoveNextMethod, loop.CurrentProperty?.GetMethod);
                if (statement is ForEachVariableStatementSyntax variables)
                {
                    CheckDeconstruction(at, _model.GetDeconstructionInfo(variables));
                }

                break;
            case IDeconstructionAssignmentOperation d when d.Syntax is AssignmentExpressionSyntax assignment:
                CheckDeconstruction(at, _model.GetDeconstructionInfo(assignment));
                break;
            case IAwaitOperation a when a.Syntax is AwaitExpressionSyntax await:
                CheckMethods(at, _model.GetAwaitExpressionInfo(await).GetAwaiterMethod);
                break;
            case ILockOperation:
                Add(op.Syntax.GetFirstToken().GetLocation(), "lock", ApiAllowList.Threads);
                break;
            case IDynamicInvocationOperation or IDynamicMemberReferenceOperation or IDynamicObjectCreationOperation or IDynamicIndexerAccessOperation:
                Add(at, "dynamic", ApiAllowList.Dynamic);
                break;
            case IFunctionPointerInvocationOperation or IAddressOfOperation:
                Add(at, op.Syntax.ToString(), ApiAllowList.Unsafe);
                break;
        }

        // The value's own type: catches what an allowed member hands back (a WaitHandle, a MethodBase...). An implicit
        // conversion only takes the type its target declares, which is checked where it is declared.
        if (_findings.Count == before && op is not IConversionOperation { IsImplicit: true } && op.Type is { } type)
        {
            Report(at, CheckType(type));
        }
    }

    private void CheckMethods(Location at, params IMethodSymbol?[] methods)
    {
        foreach (var method in methods)
        {
            if (method is not null)
            {
                Report(at, CheckMember(method, write: false, null, fromSyntax: false));
            }
        }
    }

    private void CheckDeconstruction(Location at, DeconstructionInfo info)
    {
        if (info.Method is { } method)
        {
            Report(at, CheckMember(method, write: false, null, fromSyntax: false));
        }

        if (info.Conversion?.MethodSymbol is { } conversion)
        {
            Report(at, CheckMember(conversion, write: false, null, fromSyntax: false));
        }

        foreach (var nested in info.Nested)
        {
            CheckDeconstruction(at, nested);
        }
    }

    private static bool IsWrite(IOperation op)
    {
        var parent = op.Parent;
        while (parent is ITupleOperation)
        {
            op = parent;
            parent = parent.Parent;
        }

        return parent switch
        {
            IAssignmentOperation assignment => assignment.Target == op,
            IIncrementOrDecrementOperation => true,
            _ => false,
        };
    }

    /// <summary>The part of <paramref name="syntax"/> that names what is used: <c>ReadAllText</c> in <c>File.ReadAllText(p)</c>.</summary>
    private static SyntaxNode NameOf(SyntaxNode syntax) => syntax switch
    {
        InvocationExpressionSyntax invocation => NameOf(invocation.Expression),
        MemberAccessExpressionSyntax access => access.Name,
        MemberBindingExpressionSyntax binding => binding.Name,
        ConditionalAccessExpressionSyntax conditional => NameOf(conditional.WhenNotNull),
        ObjectCreationExpressionSyntax creation => creation.Type,
        QualifiedNameSyntax qualified => qualified.Right,
        _ => syntax,
    };

    // ---- the rules ----

    private Violation? CheckMember(ISymbol? member, bool write, IReadOnlyList<IArgumentOperation>? arguments, bool fromSyntax)
    {
        if (member is null)
        {
            return null;
        }

        if (member is IMethodSymbol method)
        {
            foreach (var argument in method.TypeArguments)
            {
                if (CheckType(argument) is { } violation)
                {
                    return violation;
                }
            }

            if (method.ReducedFrom is { } reduced)
            {
                member = reduced;
            }

            if (method.MethodKind is MethodKind.LocalFunction or MethodKind.AnonymousFunction)
            {
                return null;
            }
        }

        if (member.ContainingType is not { } containing)
        {
            return null;
        }

        if (ApiAllowList.InheritedMembers.Contains(Key(containing.OriginalDefinition) + "." + member.Name))
        {
            return null;
        }

        if (CheckType(containing) is { } typeViolation)
        {
            // The type itself is refused: name the member as written; otherwise a type argument is, and that is named.
            return typeViolation.Api == Display(containing.OriginalDefinition)
                ? typeViolation with { Api = MemberDisplay(member) }
                : typeViolation;
        }

        if (IsSource(containing))
        {
            return null;
        }

        for (var current = member; current is not null; current = Overridden(current))
        {
            if (MemberRule(current, write, arguments, fromSyntax) is { } rule)
            {
                return new Violation(MemberDisplay(current, withParameters: rule == ApiAllowList.RegexTimeout), rule);
            }
        }

        return null;
    }

    /// <summary>
    /// A method group made into a delegate: only the script's own methods, local functions and lambdas, which carry
    /// woven checks. A library method (base library or policy API) passed as a delegate is called back by the library
    /// as often as it likes without a check (<c>SelectMany(Enumerable.AsEnumerable)</c> over billions of sequences),
    /// and so are members the compiler writes for the script (a record's ToString): a lambda calling the same method
    /// is checked on every call.
    /// </summary>
    private Violation? CheckDelegateTarget(IMethodSymbol method)
    {
        var definition = (method.ReducedFrom ?? method).OriginalDefinition;
        return definition.ContainingType is { } type && IsSource(type) && !definition.IsImplicitlyDeclared
            ? null
            : new Violation(MemberDisplay(definition) + " as a delegate", ApiAllowList.LibraryDelegate);
    }

    private static ISymbol? Overridden(ISymbol member) => member switch
    {
        IMethodSymbol m => m.OverriddenMethod,
        IPropertySymbol p => p.OverriddenProperty,
        IEventSymbol e => e.OverriddenEvent,
        _ => null,
    };

    /// <summary>
    /// A property of a KubernetesClient model that can hold the model itself: of type object, or of the model's own
    /// type (<c>V1JSONSchemaProps.Not</c>). The models are records, so a cycle or an endless chain built through one
    /// makes their Equals, GetHashCode and ToString recurse until the stack overflows. The models' other properties
    /// form no cycle, so nothing else a script can set reaches back.
    /// </summary>
    private static bool IsCycleProperty(IPropertySymbol property) =>
        property.ContainingType is { } model
        && NamespaceOf(model) == ApiAllowList.KubernetesModelNamespace
        && (property.Type.SpecialType == SpecialType.System_Object
            || SymbolEqualityComparer.Default.Equals(property.Type.OriginalDefinition, model.OriginalDefinition));

    private static SandboxRule? MemberRule(ISymbol member, bool write, IReadOnlyList<IArgumentOperation>? arguments, bool fromSyntax)
    {
        var typeKey = Key(member.ContainingType.OriginalDefinition);
        if (ApiAllowList.DeniedMembers.TryGetValue(typeKey + "." + member.Name, out var denial)
            && (denial.Access == MemberAccess.Any || write))
        {
            return denial.Rule;
        }

        if (write && member is IPropertySymbol property && IsCycleProperty(property))
        {
            return ApiAllowList.ModelCycle;
        }

        if (ApiAllowList.AllowedMembersOnly.TryGetValue(typeKey, out var only) && !only.Members.Contains(member.Name))
        {
            return only.Rule;
        }

        if (!fromSyntax
            && member is IMethodSymbol method
            && ApiAllowList.DeniedByParameterType.TryGetValue(typeKey, out var byParameter))
        {
            foreach (var parameter in method.Parameters)
            {
                if (parameter.Type is INamedTypeSymbol named && Key(named) == byParameter.ParameterType
                    && !IsShortConstantTimeout(arguments?.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter, parameter))))
                {
                    return byParameter.Rule;
                }
            }
        }

        return null;
    }

    /// <summary>A <c>TimeSpan.FromMilliseconds(n)</c> or <c>FromSeconds(n)</c> with a constant n within the limit.</summary>
    private static bool IsShortConstantTimeout(IArgumentOperation? argument)
    {
        if (argument?.Value is not IInvocationOperation { TargetMethod: { IsStatic: true } factory } call
            || Key(factory.ContainingType) != "System.TimeSpan"
            || call.Arguments.Length == 0
            || call.Arguments.Skip(1).Any(a => a.ArgumentKind != ArgumentKind.DefaultValue)
            || call.Arguments[0].Value.ConstantValue is not { HasValue: true, Value: { } value })
        {
            return false;
        }

        var number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        var milliseconds = factory.Name switch
        {
            "FromMilliseconds" => number,
            "FromSeconds" => number * 1000,
            _ => double.NaN,
        };
        return milliseconds is > 0 and <= ApiAllowList.MaxConstantTimeoutMilliseconds;
    }

    private Violation? CheckType(ITypeSymbol? type)
    {
        if (type is null)
        {
            return null;
        }

        if (_types.TryGetValue(type, out var cached))
        {
            return cached;
        }

        var result = CheckTypeCore(type);
        _types[type] = result;
        return result;
    }

    private Violation? CheckTypeCore(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return CheckType(array.ElementType);
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                return new Violation(type.ToDisplayString(ApiFormat), ApiAllowList.Unsafe);
            case IDynamicTypeSymbol:
                return new Violation("dynamic", ApiAllowList.Dynamic);
            case INamedTypeSymbol named:
                if (named.IsAnonymousType)
                {
                    return null;
                }

                if (!IsSource(named))
                {
                    var rule = DefinitionRule(named.OriginalDefinition);

                    // An unresolved type is judged only when it is named into a refused place; anything else is a
                    // compile error the compiler reports better.
                    if (rule is not null && !(named.TypeKind == TypeKind.Error && rule == ApiAllowList.NotAllowed))
                    {
                        return new Violation(Display(named.OriginalDefinition), rule);
                    }
                }

                if (named.ContainingType is { } outer && CheckType(outer) is { } outerViolation)
                {
                    return outerViolation;
                }

                foreach (var argument in named.TypeArguments)
                {
                    if (CheckType(argument) is { } violation)
                    {
                        return violation;
                    }
                }

                return null;
            default:
                return null; // type parameters, errors without a name
        }
    }

    private SandboxRule? DefinitionRule(INamedTypeSymbol definition)
    {
        if (_definitions.TryGetValue(definition, out var cached))
        {
            return cached;
        }

        var key = Key(definition);
        SandboxRule? rule;
        if (ApiAllowList.DeniedTypes.TryGetValue(key, out var denied))
        {
            rule = denied;
        }
        else if (definition.ContainingType is { } outer)
        {
            rule = IsSource(outer) ? null : DefinitionRule(outer.OriginalDefinition);
        }
        else if (ApiAllowList.AllowedTypes.Contains(key))
        {
            rule = null;
        }
        else
        {
            var ns = NamespaceOf(definition);
            rule = (ns == "System" && definition.Name.EndsWith(ApiAllowList.AllowedSystemTypeSuffix, StringComparison.Ordinal))
                || ApiAllowList.AllowedNamespaces.Contains(ns)
                ? null
                : DeniedNamespace(ns) ?? ApiAllowList.NotAllowed;
        }

        _definitions[definition] = rule;
        return rule;
    }

    private static SandboxRule? DeniedNamespace(string ns)
    {
        for (var current = ns; current.Length > 0; current = current.LastIndexOf('.') is var dot and > 0 ? current[..dot] : "")
        {
            if (ApiAllowList.DeniedNamespaces.TryGetValue(current, out var rule))
            {
                return rule;
            }
        }

        return null;
    }

    private static bool IsImmutable(ITypeSymbol type)
    {
        if (type.TypeKind == TypeKind.Enum)
        {
            return true;
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_String or SpecialType.System_Decimal
                or SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
                or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
                or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_IntPtr or SpecialType.System_UIntPtr
                or SpecialType.System_DateTime:
                return true;
        }

        if (type is not INamedTypeSymbol { ContainingType: null } named || named.TypeKind == TypeKind.Error)
        {
            return false;
        }

        var definition = named.OriginalDefinition;
        var known = ApiAllowList.ImmutableTypes.Contains(Key(definition))
            || ApiAllowList.ImmutableNamespaces.Contains(NamespaceOf(definition));
        return known && named.TypeArguments.All(IsImmutable);
    }

    private bool IsSource(INamedTypeSymbol type) =>
        SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, _compilation.Assembly);

    // ---- names ----

    /// <summary>The metadata name the allow-list uses: <c>Namespace.Outer+Inner`1</c>.</summary>
    private static string Key(INamedTypeSymbol type)
    {
        var name = type.MetadataName;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.MetadataName + "+" + name;
        }

        var ns = NamespaceOf(type);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private static string NamespaceOf(INamedTypeSymbol type) =>
        type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "";

    private static string Display(ISymbol symbol) => symbol.ToDisplayString(ApiFormat);

    private static string MemberDisplay(ISymbol member, bool withParameters = false)
    {
        var type = Display(member.ContainingType.OriginalDefinition);
        var name = member is IMethodSymbol { MethodKind: MethodKind.Constructor } ? type
            : member is IPropertySymbol { IsIndexer: true } ? type + "[]"
            : type + "." + member.Name;
        if (withParameters && member is IMethodSymbol method)
        {
            var parameters = string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
            name = (method.MethodKind == MethodKind.Constructor ? "new " : "") + name + "(" + parameters + ")";
        }

        return name;
    }

    /// <summary>A script's own member, named as the script sees it (without the compiler's submission class).</summary>
    private static string OwnName(ISymbol member)
    {
        var name = member.Name;
        for (var type = member.ContainingType; type is not null && !type.IsScriptClass; type = type.ContainingType)
        {
            name = type.Name + "." + name;
        }

        return name;
    }

    private void Report(Location location, Violation? violation)
    {
        if (violation is { } v)
        {
            Add(location, v.Api, v.Rule);
        }
    }

    private void Add(Location location, string api, SandboxRule rule)
    {
        var position = location.GetLineSpan().StartLinePosition;
        _findings.Add(new Finding(position.Line + 1, position.Character + 1, api, rule));
    }
}
