using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace PolicyGate.Bench;

/// <summary>
/// Time from starting <c>policygate serve</c> to its <c>/readyz</c> answering 200 (every policy compiled and
/// published), in a fresh child process each time: with one inline policy and an empty compile cache (the cold
/// first compile), with N policies and an empty cache (cold), and with N policies and the cache the cold run left
/// (warm: a restart). Target: warm restart with 50 policies ready in under 2 s.
/// </summary>
internal static partial class StartupBenchmark
{
    public static void Run(int policyCount, int rounds = 3)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "policygate.dll");
        var root = Directory.CreateTempSubdirectory("policygate-startup-").FullName;
        try
        {
            var certs = Path.Combine(root, "certs");
            RunCli(cli, ["certs", "generate", "--service", "policygate", "--namespace", "bench", "--out", certs, "--ip", "127.0.0.1"]);
            using var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(certs, "ca.crt"));
            var many = BenchPolicies.Write(Path.Combine(root, "many"), policyCount, out var distinctScripts);
            var one = BenchPolicies.Write(Path.Combine(root, "one"), 1, out _, inlineOnly: true);
            Console.WriteLine($"Start-up of `policygate serve` until /readyz is 200, child process, median of {rounds} (min-max)");
            Console.WriteLine($"  {policyCount} policies: {distinctScripts} distinct scripts (inline scripts and built-ins with different settings)");

            var empty = Path.Combine(root, "empty");
            Directory.CreateDirectory(empty);
            Print("no policies (process and server start-up)", Repeat(rounds, r => TimeToReady(cli, empty, certs, Path.Combine(root, $"cache-empty-{r}"), ca, 0)));
            Print("1 policy, cold cache (first compile)", Repeat(rounds, r => TimeToReady(cli, one, certs, Path.Combine(root, $"cache-one-{r}"), ca, 1)));
            Print($"{policyCount} policies, cold cache", Repeat(rounds, r => TimeToReady(cli, many, certs, Path.Combine(root, $"cache-many-{r}"), ca, policyCount)));
            var warm = Repeat(rounds, _ => TimeToReady(cli, many, certs, Path.Combine(root, "cache-many-0"), ca, policyCount));
            Print($"{policyCount} policies, warm cache (restart)", warm);
            Console.WriteLine($"  target: warm restart with {policyCount} policies ready in under 2 s: {(Measure.Median(warm) < 2000 ? "met" : "MISSED")}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static List<double> Repeat(int rounds, Func<int, double> measure) =>
        Enumerable.Range(0, rounds).Select(measure).ToList();

    private static void Print(string label, List<double> milliseconds) =>
        Console.WriteLine($"  {label,-44} {Measure.Median(milliseconds),7:F0} ms   ({milliseconds.Min():F0}-{milliseconds.Max():F0})");

    /// <summary>Starts the server, polls /readyz until 200, stops it; milliseconds from process start to ready.</summary>
    private static double TimeToReady(string cli, string policies, string certs, string cache, X509Certificate2 ca, int expected)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["POLICYGATE_CACHE_DIR"] = cache },
        };
        foreach (var arg in new[] { cli, "serve", "--policies", policies, "--cert-dir", certs, "--address", "127.0.0.1", "--port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start policygate serve");
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                port.TrySetException(new InvalidOperationException("policygate serve exited:\n" + output));
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (ListeningOn().Match(e.Data) is { Success: true } m)
            {
                port.TrySetResult(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var handler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    {
                        using var chain = new X509Chain();
                        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                        chain.ChainPolicy.CustomTrustStore.Add(ca);
                        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                        return certificate is not null && chain.Build(new X509Certificate2(certificate));
                    },
                },
            };
            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = TimeSpan.FromSeconds(120);
            if (!port.Task.Wait(deadline))
            {
                throw new TimeoutException("policygate serve did not start listening:\n" + output);
            }

            var ready = new Uri($"https://127.0.0.1:{port.Task.Result}/readyz");
            while (watch.Elapsed < deadline)
            {
                try
                {
                    using var response = client.GetAsync(ready).GetAwaiter().GetResult();
                    if (response.IsSuccessStatusCode)
                    {
                        var elapsed = watch.Elapsed.TotalMilliseconds;
                        var listing = client.GetStringAsync(new Uri(ready, "/policies")).GetAwaiter().GetResult();
                        var serving = ReadyState().Count(listing);
                        if (serving != expected)
                        {
                            throw new InvalidOperationException($"{serving} of {expected} policies are ready:\n{listing}");
                        }

                        return elapsed;
                    }
                }
                catch (HttpRequestException)
                {
                }

                Thread.Sleep(5); // polling a child process: the bench's own resolution, not a test wait
            }

            throw new TimeoutException("policygate serve was not ready within 120 s:\n" + output);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    private static void RunCli(string cli, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(cli);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"policygate {string.Join(' ', args)} failed ({process.ExitCode}): {stderr}{stdout.Result}");
        }
    }

    [GeneratedRegex("\"state\":\\s*\"ready\"", RegexOptions.IgnoreCase)]
    private static partial Regex ReadyState();

    [GeneratedRegex(@"https://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningOn();
}
