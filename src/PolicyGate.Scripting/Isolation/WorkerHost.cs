using System.Collections.Concurrent;
using System.Text.Json;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Evaluation;
using PolicyGate.Scripting.Runtime;

namespace PolicyGate.Scripting.Isolation;

/// <summary>
/// The worker's side (<c>policygate worker</c>): reads policies and requests from standard input, runs each policy
/// in this process exactly as the server would in its own (same sandbox, same budgets), and writes the verdicts to
/// standard output. Requests are judged concurrently; a policy that crashes or hangs this process takes only this
/// process with it, and the server starts another.
/// </summary>
public static class WorkerHost
{
    /// <summary>Serves until standard input ends; returns the process's exit code.</summary>
    public static int Run(Stream input, Stream output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var policies = new ConcurrentDictionary<string, CompiledPolicy>(StringComparer.Ordinal);
        var writeGate = new Lock();
        var running = new ConcurrentDictionary<Task, bool>();

        void Reply(byte[] frame)
        {
            lock (writeGate)
            {
                WorkerFrames.Write(output, frame);
            }
        }

        try
        {
            while (WorkerFrames.Read(input, WorkerFrames.MaxRequestBytes) is { } frame)
            {
                var (header, body) = WorkerMessages.Split(frame);
                var message = header.RootElement;
                switch (message.GetProperty("type").GetString())
                {
                    case WorkerMessages.Load:
                        // On this thread, in order: a request for the policy is only sent after its load is answered.
                        using (header)
                        {
                            Reply(WorkerMessages.EncodeLoaded(message.GetProperty("id").GetInt64(), LoadPolicy(message, body, policies)));
                        }

                        break;
                    case WorkerMessages.Evaluate:
                        var task = Task.Run(() =>
                        {
                            using (header)
                            {
                                var id = message.GetProperty("id").GetInt64();
                                Reply(WorkerMessages.EncodeVerdict(id, Judge(message, body, policies)));
                            }
                        });
                        running[task] = true;
                        task.ContinueWith(t => running.TryRemove(t, out _), TaskScheduler.Default);
                        break;
                    case WorkerMessages.Unload:
                        using (header)
                        {
                            if (policies.TryRemove(message.GetProperty("policy").GetString() ?? "", out var gone) && gone.Program is ScriptProgram program)
                            {
                                program.Retire();
                            }
                        }

                        break;
                    default:
                        header.Dispose();
                        break;
                }
            }

            // The server closed the pipe (it stopped, or it is gone): finish what is quick, and do not outlive it
            // with an evaluation stuck where nothing but the end of this process stops it.
            Task.WaitAll(running.Keys.ToArray(), TimeSpan.FromSeconds(1));
            return 0;
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or IOException or KeyNotFoundException or InvalidOperationException)
        {
            // The server is the only writer here: a frame it did not write means the conversation is over.
            error.WriteLine($"policygate worker: {ex.GetType().Name}: {ex.Message}");
            return 2;
        }
    }

    private static string[] LoadPolicy(JsonElement message, ReadOnlyMemory<byte> body, ConcurrentDictionary<string, CompiledPolicy> policies)
    {
        var key = message.GetProperty("policy").GetString()!;
        try
        {
            var hash = message.GetProperty("hash").GetString()!;
            var program = ScriptProgram.Load(hash, message.GetProperty("assembly").GetBytesFromBase64(), message.GetProperty("symbols").GetBytesFromBase64());
            var spec = new PolicySpec
            {
                Mutating = message.GetProperty("mutating").GetBoolean(),
                TimeoutSeconds = message.GetProperty("timeoutSeconds").GetInt32(),
                Settings = WorkerMessages.ReadObject(body),
                Isolation = PolicyIsolation.InProcess, // in here, it is
            };
            var kind = Enum.Parse<PolicyKind>(message.GetProperty("kind").GetString()!);
            var ns = message.GetProperty("namespace").GetString();
            var resource = new PolicyResource(kind, message.GetProperty("name").GetString()!, ns, spec, key);
            var binding = program.BindSettings(spec.Settings, TimeSpan.FromSeconds(spec.TimeoutSeconds));
            if (!binding.Succeeded)
            {
                program.Retire();
                return binding.Errors.Select(e => $"spec.settings: {e}").ToArray();
            }

            policies[key] = new CompiledPolicy(resource, program, binding.CreateSettings);
            return [];
        }
        catch (Exception ex)
        {
            return [$"the worker process could not load the policy: {ExceptionText.Describe(ex)}"];
        }
    }

    private static PolicyVerdict Judge(JsonElement message, ReadOnlyMemory<byte> body, ConcurrentDictionary<string, CompiledPolicy> policies)
    {
        if (!policies.TryGetValue(message.GetProperty("policy").GetString() ?? "", out var policy))
        {
            return new PolicyVerdict.Failed("the worker process has not loaded this policy", TimedOut: false);
        }

        if (!AdmissionReviewDocument.TryParse(body, out var document, out var error))
        {
            return new PolicyVerdict.Failed($"the worker process could not read the request: {error}", TimedOut: false);
        }

        using (document)
        {
            return PolicyEvaluator.Run(policy, new ParsedRequest(document!.Request));
        }
    }
}
