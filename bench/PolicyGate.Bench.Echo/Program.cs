using PolicyGate.Bench.Echo;

// The bare endpoint of the server benchmark (bench/server/run.sh): Kestrel over TLS exactly as `policygate serve`
// configures it, answering every POST /validate with allowed: true and the request's uid. Run with:
//   dotnet bench/PolicyGate.Bench.Echo/bin/Release/net10.0/PolicyGate.Bench.Echo.dll --cert-dir DIR [--address 127.0.0.1] [--port 8444]
return await EchoServer.RunAsync(args).ConfigureAwait(false);
