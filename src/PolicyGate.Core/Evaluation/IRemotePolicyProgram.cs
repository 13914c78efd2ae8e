using PolicyGate.Core.Admission;

namespace PolicyGate.Core.Evaluation;

/// <summary>
/// A program that runs somewhere else (a worker process, for a policy with <c>isolation: process</c>): the evaluator
/// hands it the request and gets back the verdict, already taken as plain, bounded data. It never throws for what the
/// policy does: a crash, a timeout or a bad answer of the worker is the policy's <see cref="PolicyVerdict.Failed"/>.
/// </summary>
public interface IRemotePolicyProgram : IPolicyProgram
{
    PolicyVerdict Evaluate(CompiledPolicy policy, AdmissionRequest request, CancellationToken cancellationToken);
}
