using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PolicyGate.Server.Hosting;

namespace PolicyGate.Server.Tests;

public class ServerFaultTests
{
    private sealed class FailingService : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("the policy folder vanished");
        }
    }

    private sealed class QuietService : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Delay(Timeout.Infinite, stoppingToken);
    }

    [Fact]
    public async Task FindFault_BackgroundServiceFailed_ReturnsWhyTheHostStopped()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddHostedService<QuietService>();
        builder.Services.AddHostedService<FailingService>();
        using var host = builder.Build();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20)); // a hang guard

        await host.StartAsync(deadline.Token);
        await host.WaitForShutdownAsync(deadline.Token); // the failing service stops the host by itself

        var fault = PolicyGateServer.FindFault(host);
        Assert.IsType<InvalidOperationException>(fault);
        Assert.Equal("the policy folder vanished", fault.Message);
    }

    [Fact]
    public async Task FindFault_HostStoppedNormally_None()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddHostedService<QuietService>();
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();

        Assert.Null(PolicyGateServer.FindFault(host));
    }
}
