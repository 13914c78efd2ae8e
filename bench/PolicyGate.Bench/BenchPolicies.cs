namespace PolicyGate.Bench;

/// <summary>
/// The policy folder of the benchmarks that load many policies into <c>policygate serve</c> (<c>-- startup N</c>, and
/// <c>-- write-policies DIR N</c> for bench/server/memory.sh): ClusterAdmissionPolicies in monitor mode on Pod CREATEs,
/// a third of them distinct inline scripts, the rest the built-ins with varied settings (50 policies: 21 distinct scripts).
/// </summary>
internal static class BenchPolicies
{
    private static readonly string[] Builtins = ["run-as-non-root", "capabilities", "resource-limits", "required-labels"];

    /// <summary>Writes <paramref name="count"/> policies: a third inline scripts (each distinct), the rest built-ins with varied settings.</summary>
    public static string Write(string directory, int count, out int distinctScripts, bool inlineOnly = false)
    {
        Directory.CreateDirectory(directory);
        var scripts = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            string spec;
            if (inlineOnly || i % 3 == 0)
            {
                scripts.Add("inline" + i);
                spec = $$"""
                      script: |
                        public sealed class Settings { public int Max { get; set; } }
                        var max = GetSettings<Settings>().Max;
                        var containers = PodSpec()?.Containers ?? [];
                        foreach (var c in containers.Where(c => c.Image?.EndsWith(":latest", StringComparison.Ordinal) == true))
                        {
                            Deny($"policy {{i}}: container {c.Name} uses a :latest image");
                        }
                        return containers.Count > max ? Deny($"policy {{i}}: at most {max} containers") : Allow();
                      settings: {max: {{i + 1}}}
                    """;
            }
            else
            {
                var module = Builtins[i % Builtins.Length];
                scripts.Add(module);
                var settings = module switch
                {
                    "required-labels" => $"{{requiredLabels: [team, app-{i}]}}",
                    "resource-limits" => "{}",
                    _ => "{}",
                };
                spec = $"""
                      module: builtin://{module}
                      settings: {settings}
                    """;
            }

            File.WriteAllText(Path.Combine(directory, $"policy-{i:D2}.yaml"), $"""
                apiVersion: policygate.io/v1
                kind: ClusterAdmissionPolicy
                metadata:
                  name: policy-{i:D2}
                spec:
                  mode: monitor
                  rules: [{"{"}apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"]{"}"}]
                {spec}
                """);
        }

        distinctScripts = scripts.Count;
        return directory;
    }
}
