namespace PolicyGate.Cli.New;

/// <summary>The files <c>policygate new</c> writes, by name.</summary>
internal static class PolicyTemplate
{
    public static IReadOnlyDictionary<string, string> Files(string name) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [$"{name}.yaml"] = Resource(name),
        [$"{name}.csx"] = Script(name),
        [$"{name}.test.yaml"] = Suite(name),
        [EditorGlobals.FileName] = EditorGlobals.Generate(),
        ["omnisharp.json"] = OmniSharp,
        [".gitignore"] = $"# generated for this machine's editor by policygate new (its #r names this PolicyGate install)\n{EditorGlobals.FileName}\n",
    };

    private static string Resource(string name) => $$"""
        # {{name}}: a ClusterAdmissionPolicy whose script is {{name}}.csx beside this file.
        #   policygate test .                                          runs {{name}}.test.yaml
        #   policygate dry-run --policy {{name}}.yaml --manifests DIR   judges your manifests
        # In a cluster, put the script in spec.script, or in a ConfigMap (module: configmap://NAMESPACE/NAME/KEY).
        apiVersion: policygate.io/v1
        kind: ClusterAdmissionPolicy
        metadata:
          name: {{name}}
        spec:
          module: file://{{name}}.csx
          rules:
          - apiGroups: ["", "apps", "batch"]
            apiVersions: ["v1"]
            resources: ["pods", "deployments", "statefulsets", "daemonsets", "jobs", "cronjobs"]
            operations: ["CREATE", "UPDATE"]
          mode: protect          # monitor: report violations (warnings, Events) without denying
          failurePolicy: Fail    # Ignore: allow when the policy fails or times out
          timeoutSeconds: 5
          settings:
            requiredLabels: ["team"]

        """;

    private static string Script(string name) => $$"""
        #load "{{EditorGlobals.FileName}}" // editor help only: policygate ignores this line
        {{EditorUsings()}}

        // {{name}}: objects must carry the labels listed in settings.requiredLabels.
        // The script returns Allow(), Deny("why"), or Mutate(...); Warn("...") adds a warning either way.
        // What it can read: Request (the AdmissionRequest), Object / OldObject (JSON), Metadata, Kind, Operation,
        // PodSpec() and PodMetadata() for Pods and every pod controller, ObjectAs<T>() for a typed model.

        // spec.settings, bound to this class by name (requiredLabels -> RequiredLabels) when the policy loads;
        // what Validate() returns refuses the policy, with the message, before it ever serves.
        public sealed class Settings
        {
            public List<string> RequiredLabels { get; set; } = [];

            public IEnumerable<string> Validate()
            {
                if (RequiredLabels is null || RequiredLabels.Count == 0)
                {
                    yield return "setting 'requiredLabels' must list at least one label";
                }
            }
        }

        var settings = GetSettings<Settings>();
        if (Object is null)
        {
            return Allow(); // DELETE: nothing to judge
        }

        var labels = Metadata?.Labels ?? new Dictionary<string, string>();
        var missing = settings.RequiredLabels.Where(label => !labels.ContainsKey(label)).ToList();
        return missing.Count == 0
            ? Allow()
            : Deny($"{Kind} {Metadata?.Name} is missing the label(s) {string.Join(", ", missing)}");

        """;

    /// <summary>The usings every script gets anyway, written out for the editor (a #load's usings stay in its file).</summary>
    private static string EditorUsings() =>
        string.Join("\n", Scripting.Compilation.ScriptEnvironment.Imports.Select(i => $"using {i};"));

    private static string Suite(string name) => $$$"""
        # {{{name}}}'s tests: policygate test .   (each case: an object or a whole AdmissionReview, and what must happen)
        apiVersion: policygate.io/v1
        kind: PolicyTest
        metadata:
          name: {{{name}}}
        policies:
        - {{{name}}}.yaml
        cases:
        - name: a-labelled-pod-is-allowed
          object:
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: shop, labels: {team: shop}}
            spec: {containers: [{name: web, image: registry.example.com/web:1.4.2}]}
          expect:
            allowed: true

        - name: a-pod-without-the-label-is-denied
          object:
            apiVersion: v1
            kind: Pod
            metadata: {name: debug, namespace: shop}
            spec: {containers: [{name: shell, image: registry.example.com/shell:1.0.0}]}
          expect:
            allowed: false
            message: Pod debug is missing the label(s) team

        - name: a-deployment-is-judged-by-its-own-labels
          object:
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api, namespace: shop, labels: {team: shop}}
            spec:
              selector: {matchLabels: {app: api}}
              template:
                metadata: {labels: {app: api}}
                spec: {containers: [{name: api, image: registry.example.com/api:2.0.1}]}
          expect:
            allowed: true

        - name: other-labels-can-be-required-by-settings
          settings: {requiredLabels: [team, cost-center]}
          object:
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: shop, labels: {team: shop}}
            spec: {containers: [{name: web, image: registry.example.com/web:1.4.2}]}
          expect:
            allowed: false
            message: missing the label(s) cost-center

        - name: deleting-is-always-allowed
          operation: DELETE
          object:
            apiVersion: v1
            kind: Pod
            metadata: {name: debug, namespace: shop}
            spec: {containers: [{name: shell, image: registry.example.com/shell:1.0.0}]}
          expect:
            allowed: true

        """;

    private const string OmniSharp = """
        {
          "script": {
            "enabled": true,
            "defaultTargetFramework": "net10.0",
            "enableScriptNuGetReferences": false
          }
        }

        """;
}
