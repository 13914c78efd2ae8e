# policygate: the admission webhook image. Build from the repository root: docker build -t policygate:0.1.0 .
# Multi-stage: the SDK publishes ReadyToRun code (a cold start without JIT for most of it); the runtime stage is the
# ASP.NET Core image with the published app only. The built-in policies (policies/*.csx) are compiled into the app
# as embedded resources, so builtin:// needs no files. Runs as a numeric non-root user; the only writable place it
# needs is the compile cache (POLICYGATE_CACHE_DIR, an emptyDir in deploy/), so the root filesystem can be read-only.
# No HEALTHCHECK: Kubernetes probes /healthz and /readyz (deploy/base/deployment.yaml).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so the layer is reused while only code changes.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY src/PolicyGate.Core/PolicyGate.Core.csproj src/PolicyGate.Core/
COPY src/PolicyGate.Scripting/PolicyGate.Scripting.csproj src/PolicyGate.Scripting/
COPY src/PolicyGate.Kubernetes/PolicyGate.Kubernetes.csproj src/PolicyGate.Kubernetes/
COPY src/PolicyGate.Server/PolicyGate.Server.csproj src/PolicyGate.Server/
COPY src/PolicyGate.Cli/PolicyGate.Cli.csproj src/PolicyGate.Cli/
RUN dotnet restore src/PolicyGate.Cli/PolicyGate.Cli.csproj --runtime linux-x64
COPY src/ src/
COPY policies/ policies/
RUN dotnet publish src/PolicyGate.Cli/PolicyGate.Cli.csproj -c Release -o /app --no-restore \
      --runtime linux-x64 --self-contained false -p:PublishReadyToRun=true

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
# A long-running server profits from tiered PGO (the CLI turns it off for short runs).
ENV DOTNET_TieredPGO=1 \
    POLICYGATE_CACHE_DIR=/var/cache/policygate
RUN mkdir -p /var/cache/policygate && chown 65532:65532 /var/cache/policygate && chmod 0700 /var/cache/policygate
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["/app/policygate"]
CMD ["serve", "--cert-dir", "/etc/policygate/certs"]
