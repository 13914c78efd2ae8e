using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace PolicyGate.Scripting.Sandbox;

/// <summary>
/// Makes a policy script stoppable: rewrites its syntax tree so that it calls <c>PolicyGate.Core.Sandbox.ScriptBudget</c>
/// at the start of every loop body, before every <c>goto</c>, at the entry of every method, local function, lambda,
/// anonymous method, accessor, constructor and operator, in every field and property initializer, in every query
/// clause, and around array sizes; and adds a filter to every <c>catch</c> so that the budget's stop cannot be caught.
/// </summary>
/// <remarks>
/// The semantic model of the unwoven tree decides what an expression body becomes (<c>return e;</c>, <c>e;</c> or
/// <c>throw e;</c>) and which lambdas are expression trees (left alone). Woven code is inserted without line breaks,
/// on the line of the code it guards, so the PDB still names the script's own lines in runtime errors.
/// </remarks>
internal sealed class BudgetWeaver : CSharpSyntaxRewriter
{
    private const string Budget = "global::PolicyGate.Core.Sandbox.ScriptBudget";
    private const string CaughtPrefix = "__pgCaught";

    /// <summary>The static methods of Regex that match (and have an overload taking a timeout).</summary>
    private static readonly HashSet<string> RegexMethodNames =
        ["IsMatch", "Match", "Matches", "Replace", "Split", "Count", "EnumerateMatches", "EnumerateSplits"];

    private readonly SemanticModel _model;
    private int _caught;

    private BudgetWeaver(SemanticModel model)
        : base(visitIntoStructuredTrivia: false)
    {
        _model = model;
    }

    /// <summary>
    /// The compilation with every script tree woven. Trees keep their file path and parse options (the script kind).
    /// What cannot be made stoppable (finalizers, static constructors) never gets here: the allow-list refuses it.
    /// </summary>
    public static Microsoft.CodeAnalysis.Compilation Weave(Microsoft.CodeAnalysis.Compilation compilation)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        var woven = compilation;
        foreach (var tree in compilation.SyntaxTrees)
        {
            var root = new BudgetWeaver(compilation.GetSemanticModel(tree)).Visit(tree.GetRoot());
            woven = woven.ReplaceSyntaxTree(tree, tree.WithRootAndOptions(root, tree.Options));
        }

        return woven;
    }

    // ---- top level -------------------------------------------------------------------------------------------

    public override SyntaxNode? VisitCompilationUnit(CompilationUnitSyntax node)
    {
        var unit = (CompilationUnitSyntax)base.VisitCompilationUnit(node)!;
        var members = unit.Members;
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] is GlobalStatementSyntax or FieldDeclarationSyntax)
            {
                var first = members[i];
                var check = GlobalStatement(Check("Enter")).WithLeadingTrivia(first.GetLeadingTrivia());
                members = members.Replace(first, first.WithoutLeadingTrivia()).Insert(i, check);
                return unit.WithMembers(members);
            }
        }

        return unit;
    }

    // ---- loops and goto --------------------------------------------------------------------------------------

    public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node)
    {
        var loop = (WhileStatementSyntax)base.VisitWhileStatement(node)!;
        return loop.WithStatement(Guard(loop.Statement, Check("Loop")));
    }

    public override SyntaxNode? VisitDoStatement(DoStatementSyntax node)
    {
        var loop = (DoStatementSyntax)base.VisitDoStatement(node)!;
        return loop.WithStatement(Guard(loop.Statement, Check("Loop")));
    }

    public override SyntaxNode? VisitForStatement(ForStatementSyntax node)
    {
        var loop = (ForStatementSyntax)base.VisitForStatement(node)!;
        return loop.WithStatement(Guard(loop.Statement, Check("Loop")));
    }

    public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node)
    {
        var loop = (ForEachStatementSyntax)base.VisitForEachStatement(node)!;
        return loop.WithStatement(Guard(loop.Statement, Check("Loop")));
    }

    public override SyntaxNode? VisitForEachVariableStatement(ForEachVariableStatementSyntax node)
    {
        var loop = (ForEachVariableStatementSyntax)base.VisitForEachVariableStatement(node)!;
        return loop.WithStatement(Guard(loop.Statement, Check("Loop")));
    }

    /// <summary><c>goto L;</c>, <c>goto case x;</c> and <c>goto default;</c> become <c>{ Loop(); goto ...; }</c>.</summary>
    public override SyntaxNode? VisitGotoStatement(GotoStatementSyntax node)
    {
        var jump = (GotoStatementSyntax)base.VisitGotoStatement(node)!;
        return Guard(jump, Check("Loop"));
    }

    // ---- catch -----------------------------------------------------------------------------------------------

    /// <summary>
    /// <c>catch</c> becomes <c>catch (Exception e) when (CanCatch(e))</c>, <c>catch (T e)</c> gets
    /// <c>when (CanCatch(e))</c>, and <c>when (c)</c> becomes <c>when (CanCatch(e) &amp;&amp; (c))</c>, so the script's
    /// own filter never runs while the budget is stopped.
    /// </summary>
    public override SyntaxNode? VisitCatchClause(CatchClauseSyntax node)
    {
        var clause = (CatchClauseSyntax)base.VisitCatchClause(node)!;
        var declaration = clause.Declaration;
        SyntaxToken name;
        if (declaration is null)
        {
            name = NextCaughtName();
            declaration = CatchDeclaration(
                Token(TriviaList(Space), SyntaxKind.OpenParenToken, TriviaList()),
                ParseTypeName("global::System.Exception"),
                name.WithLeadingTrivia(Space),
                Token(TriviaList(), SyntaxKind.CloseParenToken, clause.CatchKeyword.TrailingTrivia));
            clause = clause.WithCatchKeyword(clause.CatchKeyword.WithTrailingTrivia()).WithDeclaration(declaration);
        }
        else if (declaration.Identifier.IsKind(SyntaxKind.None))
        {
            name = NextCaughtName();
            declaration = declaration.WithIdentifier(name.WithLeadingTrivia(Space));
            clause = clause.WithDeclaration(declaration);
        }
        else
        {
            name = declaration.Identifier; // the token itself, so @verbatim names stay what they are
        }

        var canCatch = InvocationExpression(
            ParseExpression(Budget + ".CanCatch"),
            ArgumentList(SingletonSeparatedList(Argument(IdentifierName(name.WithoutTrivia())))));
        if (clause.Filter is { } filter)
        {
            var both = BinaryExpression(
                SyntaxKind.LogicalAndExpression,
                canCatch,
                Token(TriviaList(Space), SyntaxKind.AmpersandAmpersandToken, TriviaList(Space)),
                ParenthesizedExpression(filter.FilterExpression));
            return clause.WithFilter(filter.WithFilterExpression(both));
        }

        // The filter goes after the declaration, which hands it the trivia (line break) that followed its ')'.
        var close = clause.Declaration!.CloseParenToken;
        var newFilter = CatchFilterClause(
            Token(TriviaList(Space), SyntaxKind.WhenKeyword, TriviaList(Space)),
            Token(SyntaxKind.OpenParenToken),
            canCatch,
            Token(TriviaList(), SyntaxKind.CloseParenToken, close.TrailingTrivia));
        return clause
            .WithDeclaration(clause.Declaration.WithCloseParenToken(close.WithTrailingTrivia()))
            .WithFilter(newFilter);
    }

    // ---- methods, functions, accessors -----------------------------------------------------------------------

    public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node)
    {
        var returnsValue = ReturnsValue(_model.GetDeclaredSymbol(node));
        return WithEnterCheck((MethodDeclarationSyntax)base.VisitMethodDeclaration(node)!, returnsValue);
    }

    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
    {
        var returnsValue = ReturnsValue(_model.GetDeclaredSymbol(node) as IMethodSymbol);
        var function = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
        if (function.Body is { } body)
        {
            return function.WithBody(Prepend(body, Check("Enter")));
        }

        return function.ExpressionBody is { } arrow && returnsValue is { } value
            ? function.WithExpressionBody(null).WithSemicolonToken(default).WithBody(ToBlock(arrow, function.SemicolonToken, value))
            : function;
    }

    public override SyntaxNode? VisitOperatorDeclaration(OperatorDeclarationSyntax node)
    {
        var returnsValue = ReturnsValue(_model.GetDeclaredSymbol(node));
        return WithEnterCheck((OperatorDeclarationSyntax)base.VisitOperatorDeclaration(node)!, returnsValue);
    }

    public override SyntaxNode? VisitConversionOperatorDeclaration(ConversionOperatorDeclarationSyntax node) =>
        WithEnterCheck((ConversionOperatorDeclarationSyntax)base.VisitConversionOperatorDeclaration(node)!, returnsValue: true);

    public override SyntaxNode? VisitConstructorDeclaration(ConstructorDeclarationSyntax node) =>
        WithEnterCheck((ConstructorDeclarationSyntax)base.VisitConstructorDeclaration(node)!, returnsValue: false);

    /// <summary>
    /// A method, operator, conversion or constructor with the entry check first in its body. An arrow body becomes a
    /// block (<see cref="ToBlock"/>); when <paramref name="returnsValue"/> is unknown, an arrow body is left as it is.
    /// </summary>
    private static BaseMethodDeclarationSyntax WithEnterCheck(BaseMethodDeclarationSyntax declaration, bool? returnsValue)
    {
        if (declaration.Body is { } body)
        {
            return declaration.WithBody(Prepend(body, Check("Enter")));
        }

        return declaration.ExpressionBody is { } arrow && returnsValue is { } value
            ? declaration.WithExpressionBody(null).WithSemicolonToken(default).WithBody(ToBlock(arrow, declaration.SemicolonToken, value))
            : declaration;
    }

    public override SyntaxNode? VisitAccessorDeclaration(AccessorDeclarationSyntax node)
    {
        var accessor = (AccessorDeclarationSyntax)base.VisitAccessorDeclaration(node)!;
        if (accessor.Body is { } body)
        {
            return accessor.WithBody(Prepend(body, Check("Enter")));
        }

        return accessor.ExpressionBody is { } arrow
            ? accessor.WithExpressionBody(null).WithSemicolonToken(default)
                .WithBody(ToBlock(arrow, accessor.SemicolonToken, returnsValue: accessor.IsKind(SyntaxKind.GetAccessorDeclaration)))
            : accessor; // auto-accessors have no code of their own
    }

    /// <summary><c>T P => e;</c> becomes <c>T P { get { Enter(); return e; } }</c>; an initializer is probed.</summary>
    public override SyntaxNode? VisitPropertyDeclaration(PropertyDeclarationSyntax node)
    {
        var property = (PropertyDeclarationSyntax)base.VisitPropertyDeclaration(node)!;
        if (property.ExpressionBody is { } arrow)
        {
            return property.WithExpressionBody(null).WithSemicolonToken(default)
                .WithAccessorList(GetterFor(arrow, property.SemicolonToken));
        }

        if (property.Initializer is { Value: not InitializerExpressionSyntax } initializer)
        {
            return property.WithInitializer(initializer.WithValue(Probed(initializer.Value, property.Type)));
        }

        return property;
    }

    public override SyntaxNode? VisitIndexerDeclaration(IndexerDeclarationSyntax node)
    {
        var indexer = (IndexerDeclarationSyntax)base.VisitIndexerDeclaration(node)!;
        return indexer.ExpressionBody is { } arrow
            ? indexer.WithExpressionBody(null).WithSemicolonToken(default).WithAccessorList(GetterFor(arrow, indexer.SemicolonToken))
            : indexer;
    }

    /// <summary>
    /// A field initializer runs before any constructor body, so <c>class C { C next = new C(); }</c> would recurse
    /// without passing a woven entry: each initializer is probed (<c>Then&lt;T&gt;(Probe(), value)</c>).
    /// </summary>
    public override SyntaxNode? VisitFieldDeclaration(FieldDeclarationSyntax node)
    {
        var field = (FieldDeclarationSyntax)base.VisitFieldDeclaration(node)!;
        if (field.Modifiers.Any(SyntaxKind.ConstKeyword) || node.Parent is CompilationUnitSyntax)
        {
            return field; // constants; and a script's top-level variables, which run in order with its statements
        }

        var declaration = field.Declaration;
        var variables = SeparatedList(
            declaration.Variables.Select(v => v.Initializer is { Value: not InitializerExpressionSyntax } initializer
                ? v.WithInitializer(initializer.WithValue(Probed(initializer.Value, declaration.Type)))
                : v),
            declaration.Variables.GetSeparators());
        return field.WithDeclaration(declaration.WithVariables(variables));
    }

    /// <summary>
    /// A record class gets an explicit <c>EqualityContract</c> with an entry check. The compiler's Equals and
    /// GetHashCode read it first, so equality over a cycle of records (<c>a.Next = a</c>) stops with "call depth
    /// exceeded" instead of overflowing the stack in code that has no syntax to weave.
    /// </summary>
    public override SyntaxNode? VisitRecordDeclaration(RecordDeclarationSyntax node)
    {
        var symbol = _model.GetDeclaredSymbol(node);
        var record = (RecordDeclarationSyntax)base.VisitRecordDeclaration(node)!;
        if (node.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword)
            || symbol is null
            || symbol.DeclaringSyntaxReferences[0].GetSyntax() != node
            || symbol.GetMembers("EqualityContract").Any(m => !m.IsImplicitlyDeclared))
        {
            return record;
        }

        var modifiers = symbol.BaseType is { IsRecord: true } ? "protected override" : symbol.IsSealed ? "private" : "protected virtual";
        var self = node.Identifier.Text + (node.TypeParameterList is { } parameters
            ? "<" + string.Join(", ", parameters.Parameters.Select(p => p.Identifier.Text)) + ">"
            : "");
        var contract = ParseMemberDeclaration(
            $"{modifiers} global::System.Type EqualityContract {{ get {{ {Budget}.Enter(); return typeof({self}); }} }}")!;
        if (record.OpenBraceToken.IsKind(SyntaxKind.None))
        {
            // record R(int X); has no body: it gets one, on the same line.
            var semicolon = record.SemicolonToken;
            return record
                .WithSemicolonToken(default)
                .WithOpenBraceToken(Token(TriviaList(Space), SyntaxKind.OpenBraceToken, TriviaList(Space)))
                .WithMembers(SingletonList(contract))
                .WithCloseBraceToken(Token(semicolon.LeadingTrivia, SyntaxKind.CloseBraceToken, semicolon.TrailingTrivia));
        }

        return record.WithMembers(record.Members.Add(contract));
    }

    // ---- lambdas ---------------------------------------------------------------------------------------------

    public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node)
    {
        if (IsExpressionTree(node))
        {
            return node;
        }

        var returnsValue = ReturnsValue(_model.GetSymbolInfo(node).Symbol as IMethodSymbol);
        var lambda = (SimpleLambdaExpressionSyntax)base.VisitSimpleLambdaExpression(node)!;
        return WeaveLambda(lambda, returnsValue);
    }

    public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node)
    {
        if (IsExpressionTree(node))
        {
            return node;
        }

        var returnsValue = ReturnsValue(_model.GetSymbolInfo(node).Symbol as IMethodSymbol);
        var lambda = (ParenthesizedLambdaExpressionSyntax)base.VisitParenthesizedLambdaExpression(node)!;
        return WeaveLambda(lambda, returnsValue);
    }

    public override SyntaxNode? VisitAnonymousMethodExpression(AnonymousMethodExpressionSyntax node)
    {
        var method = (AnonymousMethodExpressionSyntax)base.VisitAnonymousMethodExpression(node)!;
        return method.WithBlock(Prepend(method.Block, Check("Enter")));
    }

    // ---- query expressions: the compiler turns their clauses into lambdas that have no syntax of their own ----

    public override SyntaxNode? VisitWhereClause(WhereClauseSyntax node)
    {
        var clause = (WhereClauseSyntax)base.VisitWhereClause(node)!;
        return clause.WithCondition(Probed(clause.Condition));
    }

    public override SyntaxNode? VisitSelectClause(SelectClauseSyntax node)
    {
        var clause = (SelectClauseSyntax)base.VisitSelectClause(node)!;
        return clause.WithExpression(Probed(clause.Expression));
    }

    public override SyntaxNode? VisitLetClause(LetClauseSyntax node)
    {
        var clause = (LetClauseSyntax)base.VisitLetClause(node)!;
        return clause.WithExpression(Probed(clause.Expression));
    }

    public override SyntaxNode? VisitOrdering(OrderingSyntax node)
    {
        var ordering = (OrderingSyntax)base.VisitOrdering(node)!;
        return ordering.WithExpression(Probed(ordering.Expression));
    }

    public override SyntaxNode? VisitGroupClause(GroupClauseSyntax node)
    {
        var clause = (GroupClauseSyntax)base.VisitGroupClause(node)!;
        return clause.WithGroupExpression(Probed(clause.GroupExpression)).WithByExpression(Probed(clause.ByExpression));
    }

    public override SyntaxNode? VisitJoinClause(JoinClauseSyntax node)
    {
        var clause = (JoinClauseSyntax)base.VisitJoinClause(node)!;
        return clause.WithLeftExpression(Probed(clause.LeftExpression)).WithRightExpression(Probed(clause.RightExpression));
    }

    /// <summary>A <c>from</c> after the first is a lambda of SelectMany: its collection is computed per element.</summary>
    public override SyntaxNode? VisitFromClause(FromClauseSyntax node)
    {
        var clause = (FromClauseSyntax)base.VisitFromClause(node)!;
        return node.Parent is QueryBodySyntax ? clause.WithExpression(Probed(clause.Expression)) : clause;
    }

    // ---- allocation and construction -------------------------------------------------------------------------

    /// <summary>
    /// <c>new T[n]</c> becomes <c>new T[Length&lt;T&gt;(n)]</c>, which stops before an array larger than the
    /// allocation budget left is made (a single allocation no periodic check would see in time);
    /// <c>new T[a, b]</c> and <c>new T[a, b, c]</c> become <c>NewArray&lt;T&gt;(a, b[, c])</c>, weighing the whole.
    /// </summary>
    public override SyntaxNode? VisitArrayCreationExpression(ArrayCreationExpressionSyntax node)
    {
        var dimensionTypes = node.Initializer is null && node.Type.RankSpecifiers.Count > 0
            ? node.Type.RankSpecifiers[0].Sizes.Select(s => _model.GetTypeInfo(s).Type?.SpecialType ?? SpecialType.None).ToArray()
            : [];
        var creation = (ArrayCreationExpressionSyntax)base.VisitArrayCreationExpression(node)!;
        if (dimensionTypes.Length == 0 || creation.Type.RankSpecifiers[0].Sizes.Any(s => s is OmittedArraySizeExpressionSyntax))
        {
            return creation; // sized by an initializer, which the code itself spells out
        }

        var type = creation.Type;
        TypeSyntax element = type.RankSpecifiers.Count == 1
            ? type.ElementType.WithoutTrivia()
            : ArrayType(type.ElementType.WithoutTrivia(), List(type.RankSpecifiers.Skip(1).Select(r => r.WithoutTrivia())));
        var sizes = type.RankSpecifiers[0].Sizes;
        if (sizes.Count == 1)
        {
            var size = sizes[0];
            var checkedSize = Invocation("Length", element, [size.WithoutTrivia()]).WithTriviaFrom(size);
            var rank = type.RankSpecifiers[0].WithSizes(SingletonSeparatedList<ExpressionSyntax>(checkedSize));
            return creation.WithType(type.WithRankSpecifiers(type.RankSpecifiers.Replace(type.RankSpecifiers[0], rank)));
        }

        if (sizes.Count is 2 or 3 && dimensionTypes.All(t => t is not SpecialType.System_UInt64))
        {
            return Invocation("NewArray", element, sizes.Select(s => s.WithoutTrivia()))
                .WithLeadingTrivia(creation.GetLeadingTrivia())
                .WithTrailingTrivia(creation.GetTrailingTrivia());
        }

        return creation; // four or more dimensions: left to the periodic allocation check
    }

    /// <summary><c>stackalloc T[n]</c> becomes <c>stackalloc T[StackLength&lt;T&gt;(n)]</c>.</summary>
    public override SyntaxNode? VisitStackAllocArrayCreationExpression(StackAllocArrayCreationExpressionSyntax node)
    {
        var sizeIsInt = node.Initializer is null
            && node.Type is ArrayTypeSyntax { RankSpecifiers: [{ Sizes: [var s] }] }
            && s is not OmittedArraySizeExpressionSyntax
            && _model.GetTypeInfo(s).ConvertedType?.SpecialType == SpecialType.System_Int32;
        var creation = (StackAllocArrayCreationExpressionSyntax)base.VisitStackAllocArrayCreationExpression(node)!;
        if (!sizeIsInt || creation.Type is not ArrayTypeSyntax array)
        {
            return creation;
        }

        var size = array.RankSpecifiers[0].Sizes[0];
        var checkedSize = Invocation("StackLength", array.ElementType.WithoutTrivia(), [size.WithoutTrivia()]).WithTriviaFrom(size);
        return creation.WithType(array.WithRankSpecifiers(SingletonList(array.RankSpecifiers[0].WithSizes(SingletonSeparatedList<ExpressionSyntax>(checkedSize)))));
    }

    /// <summary>
    /// A <c>new C(...)</c> of a script type in a constructor initializer (<c>: this(new C())</c>, <c>: base(...)</c>,
    /// a primary constructor's base arguments) runs before any body: it is probed, like field initializers.
    /// </summary>
    public override SyntaxNode? VisitObjectCreationExpression(ObjectCreationExpressionSyntax node)
    {
        var probe = InConstructorPrologue(node) && _model.GetSymbolInfo(node).Symbol is IMethodSymbol { ContainingType.Locations: var locations }
            && locations.Any(l => l.IsInSource);
        var regex = RegexTimeoutEdit(node);
        var creation = (ObjectCreationExpressionSyntax)base.VisitObjectCreationExpression(node)!;
        if (regex is not null && creation.ArgumentList is { } arguments)
        {
            creation = creation.WithArgumentList(regex(arguments));
        }

        return probe ? Probed(creation) : creation;
    }

    public override SyntaxNode? VisitImplicitObjectCreationExpression(ImplicitObjectCreationExpressionSyntax node)
    {
        var regex = RegexTimeoutEdit(node);
        var creation = (ImplicitObjectCreationExpressionSyntax)base.VisitImplicitObjectCreationExpression(node)!;
        return regex is null ? creation : creation.WithArgumentList(regex(creation.ArgumentList));
    }

    public override SyntaxNode? VisitInvocationExpression(InvocationExpressionSyntax node)
    {
        var regex = RegexTimeoutEdit(node);
        var invocation = (InvocationExpressionSyntax)base.VisitInvocationExpression(node)!;
        return regex is null ? invocation : invocation.WithArgumentList(regex(invocation.ArgumentList));
    }

    /// <summary>Attribute arguments are constants: nothing to weave.</summary>
    public override SyntaxNode? VisitAttributeList(AttributeListSyntax node) => node;

    // ---- regular expressions ---------------------------------------------------------------------------------

    /// <summary>
    /// For a Regex constructor or static method (<c>new Regex(p)</c>, <c>Regex.IsMatch(s, p)</c>...), the edit of its
    /// arguments that gives it a match timeout: a timeout the script passes is clamped
    /// (<c>RegexTimeout.Clamp(t)</c>); otherwise the overload that takes one is called, with
    /// <c>options: RegexOptions.None</c> when needed and <c>matchTimeout: RegexTimeout.Default</c>. Null for
    /// anything else. The process-wide default does the same only if it was set before the process first used Regex.
    /// </summary>
    private Func<ArgumentListSyntax, ArgumentListSyntax>? RegexTimeoutEdit(ExpressionSyntax node)
    {
        // Cheap tests first: a method's name cannot be aliased, and the symbol is bound already.
        if (node is InvocationExpressionSyntax { Expression: var callee }
            && !RegexMethodNames.Contains(callee switch
            {
                MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
                SimpleNameSyntax name => name.Identifier.ValueText,
                _ => "",
            }))
        {
            return null;
        }

        if (_model.GetSymbolInfo(node).Symbol is not IMethodSymbol { ContainingType: { Name: "Regex" } regexType } || !IsRegexNamespace(regexType.ContainingNamespace))
        {
            return null;
        }

        var (method, arguments) = _model.GetOperation(node) switch
        {
            IInvocationOperation { TargetMethod.IsStatic: true } call => (call.TargetMethod, call.Arguments),
            IObjectCreationOperation { Constructor: { } constructor } create => (constructor, create.Arguments),
            _ => (null, default),
        };
        if (method?.ContainingType is not { Name: "Regex" } type || !IsRegexNamespace(type.ContainingNamespace))
        {
            return null;
        }

        var timeout = method.Parameters.FirstOrDefault(p => IsTimeSpan(p.Type));
        if (timeout is not null)
        {
            var argument = arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter, timeout) && a.ArgumentKind == ArgumentKind.Explicit);
            if (argument?.Syntax is not ArgumentSyntax { Parent: ArgumentListSyntax list } syntax)
            {
                return null;
            }

            var index = list.Arguments.IndexOf(syntax);
            return rewritten => rewritten.WithArguments(rewritten.Arguments.Replace(
                rewritten.Arguments[index],
                rewritten.Arguments[index].WithExpression(InvocationExpression(
                    ParseExpression("global::PolicyGate.Core.Sandbox.RegexTimeout.Clamp"),
                    ArgumentList(SingletonSeparatedList(Argument(rewritten.Arguments[index].Expression)))))));
        }

        // The overload with the same parameters, then (unless already there) RegexOptions, then a TimeSpan.
        var hasOptions = method.Parameters.Any(p => p.Type.Name == "RegexOptions");
        var wanted = method.Parameters.Length + (hasOptions ? 1 : 2);
        var candidates = method.MethodKind == MethodKind.Constructor ? type.InstanceConstructors : type.GetMembers(method.Name).OfType<IMethodSymbol>();
        var overload = candidates.FirstOrDefault(m =>
            m.Parameters.Length == wanted
            && m.Parameters.Zip(method.Parameters).All(p => SymbolEqualityComparer.Default.Equals(p.First.Type, p.Second.Type))
            && (hasOptions || m.Parameters[^2].Type.Name == "RegexOptions")
            && IsTimeSpan(m.Parameters[^1].Type));
        if (overload is null)
        {
            return null;
        }

        return rewritten =>
        {
            var added = new List<ArgumentSyntax>();
            if (!hasOptions)
            {
                added.Add(Named(overload.Parameters[^2].Name, "global::System.Text.RegularExpressions.RegexOptions.None"));
            }

            added.Add(Named(overload.Parameters[^1].Name, "global::PolicyGate.Core.Sandbox.RegexTimeout.Default"));
            var all = rewritten.Arguments.Concat(added).ToList();
            var separators = Enumerable.Range(0, all.Count - 1).Select(i => i < rewritten.Arguments.SeparatorCount
                ? rewritten.Arguments.GetSeparator(i)
                : Token(TriviaList(), SyntaxKind.CommaToken, TriviaList(Space)));
            return rewritten.WithArguments(SeparatedList(all, separators));
        };

        static ArgumentSyntax Named(string name, string value) =>
            Argument(NameColon(IdentifierName(name), Token(TriviaList(), SyntaxKind.ColonToken, TriviaList(Space))), default, ParseExpression(value));
    }

    private static bool IsRegexNamespace(INamespaceSymbol? ns) =>
        ns is { Name: "RegularExpressions", ContainingNamespace: { Name: "Text", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } };

    private static bool IsTimeSpan(ITypeSymbol type) =>
        type is { Name: "TimeSpan", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static StatementSyntax Check(string method) =>
        ParseStatement($"{Budget}.{method}();");

    private static InvocationExpressionSyntax Invocation(string method, TypeSyntax typeArgument, IEnumerable<ExpressionSyntax> arguments) =>
        InvocationExpression(
            MemberAccessExpression(
                SyntaxKind.SimpleMemberAccessExpression,
                ParseExpression(Budget),
                GenericName(Identifier(method), TypeArgumentList(SingletonSeparatedList(typeArgument)))),
            ArgumentList(SeparatedList(arguments.Select(Argument), arguments.Skip(1).Select(_ => Token(TriviaList(), SyntaxKind.CommaToken, TriviaList(Space))))));

    /// <summary><c>Then(Probe(), e)</c> (or <c>Then&lt;T&gt;</c> when the target type is known): the probe runs first.</summary>
    private static InvocationExpressionSyntax Probed(ExpressionSyntax expression, TypeSyntax? type = null)
    {
        var then = type is null
            ? ParseExpression(Budget + ".Then")
            : MemberAccessExpression(
                SyntaxKind.SimpleMemberAccessExpression,
                ParseExpression(Budget),
                GenericName(Identifier("Then"), TypeArgumentList(SingletonSeparatedList(type.WithoutTrivia()))));
        return InvocationExpression(
                then,
                ArgumentList(SeparatedList(
                    [Argument(ParseExpression(Budget + ".Probe()")), Argument(expression.WithoutTrivia())],
                    [Token(TriviaList(), SyntaxKind.CommaToken, TriviaList(Space))])))
            .WithTriviaFrom(expression);
    }

    /// <summary>A loop body or jump, made a block that starts with <paramref name="check"/>, on the same lines.</summary>
    private static BlockSyntax Guard(StatementSyntax statement, StatementSyntax check)
    {
        if (statement is BlockSyntax block)
        {
            return Prepend(block, check);
        }

        if (statement is EmptyStatementSyntax empty && empty.AttributeLists.Count == 0)
        {
            return Block(
                Token(empty.SemicolonToken.LeadingTrivia, SyntaxKind.OpenBraceToken, TriviaList()),
                SingletonList(check),
                Token(TriviaList(), SyntaxKind.CloseBraceToken, empty.SemicolonToken.TrailingTrivia));
        }

        return Block(
            Token(statement.GetLeadingTrivia(), SyntaxKind.OpenBraceToken, TriviaList()),
            List([check, statement.WithoutLeadingTrivia().WithoutTrailingTrivia()]),
            Token(TriviaList(), SyntaxKind.CloseBraceToken, statement.GetTrailingTrivia()));
    }

    /// <summary>The block with <paramref name="check"/> first, on the line of the block's first statement.</summary>
    private static BlockSyntax Prepend(BlockSyntax block, StatementSyntax check)
    {
        if (block.Statements.Count == 0)
        {
            return block.WithStatements(SingletonList(check));
        }

        var first = block.Statements[0];
        var statements = block.Statements.Replace(first, first.WithoutLeadingTrivia()).Insert(0, check.WithLeadingTrivia(first.GetLeadingTrivia()));
        return block.WithStatements(statements);
    }

    /// <summary>
    /// <c>=> e;</c> as <c>{ Enter(); return e; }</c>, <c>{ Enter(); e; }</c> or <c>{ Enter(); throw x; }</c>. All
    /// trivia is kept where it was, so no line moves.
    /// </summary>
    private static BlockSyntax ToBlock(ArrowExpressionClauseSyntax arrow, SyntaxToken semicolon, bool returnsValue)
    {
        var end = Token(semicolon.LeadingTrivia, SyntaxKind.SemicolonToken, TriviaList());
        return Block(
            Token(arrow.ArrowToken.LeadingTrivia, SyntaxKind.OpenBraceToken, arrow.ArrowToken.TrailingTrivia),
            List([Check("Enter"), BodyStatement(arrow.Expression, returnsValue, end)]),
            Token(TriviaList(), SyntaxKind.CloseBraceToken, semicolon.TrailingTrivia));
    }

    private static StatementSyntax BodyStatement(ExpressionSyntax expression, bool returnsValue, SyntaxToken semicolon) =>
        expression switch
        {
            ThrowExpressionSyntax thrown => ThrowStatement(thrown.ThrowKeyword.WithLeadingTrivia(thrown.GetLeadingTrivia()), thrown.Expression, semicolon),
            _ when returnsValue => ReturnStatement(Token(TriviaList(), SyntaxKind.ReturnKeyword, TriviaList(Space)), expression, semicolon),
            _ => ExpressionStatement(expression, semicolon),
        };

    /// <summary><c>=> e;</c> of a property or indexer as <c>{ get { Enter(); return e; } }</c>.</summary>
    private static AccessorListSyntax GetterFor(ArrowExpressionClauseSyntax arrow, SyntaxToken semicolon)
    {
        var body = Block(
            Token(SyntaxKind.OpenBraceToken),
            List([Check("Enter"), BodyStatement(arrow.Expression, returnsValue: true, Token(semicolon.LeadingTrivia, SyntaxKind.SemicolonToken, TriviaList()))]),
            Token(SyntaxKind.CloseBraceToken));
        var getter = AccessorDeclaration(SyntaxKind.GetAccessorDeclaration, body);
        return AccessorList(
            Token(arrow.ArrowToken.LeadingTrivia, SyntaxKind.OpenBraceToken, arrow.ArrowToken.TrailingTrivia),
            SingletonList(getter),
            Token(TriviaList(), SyntaxKind.CloseBraceToken, semicolon.TrailingTrivia));
    }

    private static LambdaExpressionSyntax WeaveLambda(LambdaExpressionSyntax lambda, bool? returnsValue)
    {
        if (lambda.Block is { } block)
        {
            return lambda.WithBlock(Prepend(block, Check("Enter")));
        }

        if (lambda.ExpressionBody is not { } expression || returnsValue is not { } value)
        {
            return lambda; // not bound (the script has errors and will not be emitted)
        }

        var body = Block(
            Token(SyntaxKind.OpenBraceToken),
            List([Check("Enter"), BodyStatement(expression, value, Token(SyntaxKind.SemicolonToken))]),
            Token(SyntaxKind.CloseBraceToken));
        return lambda.WithExpressionBody(null).WithBlock(body);
    }

    /// <summary>
    /// Whether an expression body is a value to return: false for void (and for async methods returning a
    /// non-generic Task or ValueTask), null when the symbol is unknown.
    /// </summary>
    private static bool? ReturnsValue(IMethodSymbol? method) =>
        method is null ? null
        : method.ReturnsVoid ? false
        : method.IsAsync ? method.ReturnType is INamedTypeSymbol { IsGenericType: true }
        : true;

    private bool IsExpressionTree(LambdaExpressionSyntax lambda) =>
        _model.GetTypeInfo(lambda).ConvertedType is INamedTypeSymbol
        {
            Name: "Expression",
            ContainingNamespace: { Name: "Expressions", ContainingNamespace: { Name: "Linq", ContainingNamespace.Name: "System" } },
        };

    private static bool InConstructorPrologue(SyntaxNode node)
    {
        for (var current = node.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case ConstructorInitializerSyntax or PrimaryConstructorBaseTypeSyntax:
                    return true;
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax or StatementSyntax:
                    return false;
            }
        }

        return false;
    }

    private SyntaxToken NextCaughtName() => Identifier(CaughtPrefix + (++_caught).ToString(System.Globalization.CultureInfo.InvariantCulture));
}
