using System.Diagnostics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.PolicyApi;
using PolicyGate.Scripting.Sandbox;

namespace PolicyGate.Scripting.Runtime;

/// <summary>A compiled policy script loaded into its own collectible load context, ready to run.</summary>
public sealed class ScriptProgram : IPolicyProgram
{
    internal const string SubmissionTypeName = "Submission#0";
    private const string FactoryMethodName = "<Factory>";
    private const string SettingsTypeName = "Settings";

    private readonly Func<object?[], Task<PolicyResult>> _factory;
    private readonly Assembly _assembly;
    private readonly SettingsBinder? _settingsBinder;
    private readonly ProgramLifetime _lifetime;

    private ScriptProgram(string hash, PolicyLoadContext context, Assembly assembly, Func<object?[], Task<PolicyResult>> factory, Type? settingsType)
    {
        Hash = hash;
        LoadContext = context;
        _assembly = assembly;
        _factory = factory;
        _settingsBinder = settingsType is null ? null : new SettingsBinder(settingsType);
        _lifetime = new ProgramLifetime(() =>
        {
            context.Unload();
            SerializerCaches.ForgetUnloadedTypes();
        });
    }

    public string Hash { get; }

    /// <summary>The type the script declared for its settings, if any.</summary>
    public Type? SettingsType => _settingsBinder?.Type;

    internal PolicyLoadContext LoadContext { get; }

    /// <summary>True once no published policy uses this program (see <see cref="Retire"/>).</summary>
    public bool IsRetired => _lifetime.IsRetired;

    /// <summary>True once the unload of the program's load context has started: it was retired and no evaluation runs it.</summary>
    public bool IsUnloadStarted => _lifetime.IsUnloadStarted;

    /// <summary>Evaluations running this program right now.</summary>
    public int Leases => _lifetime.Leases;

    public void AcquireLease() => _lifetime.Acquire();

    public void ReleaseLease() => _lifetime.Release();

    /// <summary>
    /// Called by the compiler when no published policy uses the program any more: its load context is unloaded as
    /// soon as the evaluations still running it have finished. Evaluations that start later still run normally.
    /// </summary>
    internal void Retire() => _lifetime.Retire();

    internal static ScriptProgram Load(string hash, byte[] assembly, byte[] symbols)
    {
        var context = new PolicyLoadContext("policy-" + hash[..12]);
        try
        {
            using var pe = new MemoryStream(assembly, writable: false);
            using var pdb = new MemoryStream(symbols, writable: false);
            var loaded = context.LoadFromStream(pe, pdb);
            var submission = loaded.GetType(SubmissionTypeName, throwOnError: false)
                ?? throw new InvalidOperationException("compiled script has no submission type");
            var factory = submission.GetMethod(FactoryMethodName, BindingFlags.Public | BindingFlags.Static)
                ?? throw new InvalidOperationException("compiled script has no factory method");
            var run = factory.CreateDelegate<Func<object?[], Task<PolicyResult>>>();
            var settingsType = submission.GetNestedType(SettingsTypeName, BindingFlags.Public | BindingFlags.NonPublic);
            return new ScriptProgram(hash, context, loaded, run, settingsType);
        }
        catch
        {
            context.Unload();
            throw;
        }
    }

    /// <summary>KubernetesClient's models, which every script compiles against (<c>using k8s.Models;</c>).</summary>
    public IModelLibrary? Models => KubernetesClientModels.Instance;

    public SettingsBinding BindSettings(JsonObject? settings, TimeSpan timeBudget) =>
        _settingsBinder?.Bind(settings, timeBudget) ?? SettingsBinding.Success(null);

    public PolicyResult? Run(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Task<PolicyResult> task;
        var caller = SynchronizationContext.Current;
        using var scriptContext = new ScriptSynchronizationContext();
        SynchronizationContext.SetSynchronizationContext(scriptContext);
        try
        {
            // Slot 0 holds the globals, slot 1 the submission itself (Roslyn's script calling convention).
            task = _factory([context, null]);
            if (!task.IsCompleted)
            {
                // Only scripts that await get here: their continuations run on this thread, under its budget.
                scriptContext.RunUntil(task, context.CancellationToken);
            }

            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var inner = ex is AggregateException { InnerExceptions.Count: 1 } agg ? agg.InnerExceptions[0] : ex;
            if (inner is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            {
                ExceptionDispatchInfo.Throw(inner);
            }

            throw new PolicyRuntimeException(Describe(inner), inner);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(caller);
        }
    }

    /// <summary>"NullReferenceException at line 12: Object reference not set..." using the script's own line.</summary>
    private string Describe(Exception ex)
    {
        var frames = new StackTrace(ex, fNeedFileInfo: true).GetFrames();
        var scriptFrame = frames.FirstOrDefault(f => f.GetMethod()?.DeclaringType?.Assembly == _assembly && f.GetFileLineNumber() > 0);
        var where = scriptFrame is null ? "" : $" at line {scriptFrame.GetFileLineNumber()}";
        return $"{ex.GetType().Name}{where}: {ExceptionText.Message(ex)}";
    }
}
