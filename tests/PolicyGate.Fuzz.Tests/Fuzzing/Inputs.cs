using PolicyGate.Cli.Tests;

namespace PolicyGate.Fuzz.Tests.Fuzzing;

/// <summary>The known-good inputs the surfaces run beside (or against) the mutated ones.</summary>
internal static class Inputs
{
    public static string SeedPolicies { get; } = Repo("policies/examples/seed-policies.yaml");

    /// <summary>Pods (some denied by the seed policies), a Deployment and SQLClaims.</summary>
    public static string ExampleManifests { get; } = Repo("policies/examples/manifests");

    /// <summary>A PersistentVolumeClaim and a StatefulSet, for the pvc-size built-in.</summary>
    public static string PvcManifests { get; } = Repo("tests/fixtures/fuzz/manifests");

    /// <summary>A Pod CREATE review that the seed policies deny.</summary>
    public static string GoodReview { get; } = Repo("tests/fixtures/cli/admission-review-pod.json");

    public const string GoodReviewUid = "705ab4f5-6393-11e8-b7cc-42010a800002";

    /// <summary>Every policy file that names a built-in module: mutating them never changes a script, so never compiles one.</summary>
    public static IReadOnlyList<SeedInput> PolicySeeds { get; } = SeedInput.Load(
        "policies/allowed-sizes.yaml",
        "policies/capabilities.yaml",
        "policies/pvc-size.yaml",
        "policies/required-labels.yaml",
        "policies/resource-limits.yaml",
        "policies/run-as-non-root.yaml",
        "policies/validate-pod-security-standards.yaml",
        "policies/examples/seed-policies.yaml");

    public static IReadOnlyList<SeedInput> ReviewSeeds { get; } = SeedInput.Load(
        "tests/fixtures/cli/admission-review-pod.json",
        "bench/server/admission-review.json");

    public static string Repo(string relative) => CliRunner.Repo(relative);
}
