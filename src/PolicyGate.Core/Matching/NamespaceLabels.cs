namespace PolicyGate.Core.Matching;

/// <summary>
/// Looks up the labels of a namespace for <c>namespaceSelector</c>. Returns null when the namespace is unknown.
/// </summary>
public delegate IReadOnlyDictionary<string, string>? NamespaceLabels(string namespaceName);
