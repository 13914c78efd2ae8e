# policygate: the admission webhook image. Build: docker build -t policygate .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/PolicyGate.Cli -c Release -o /app -p:PublishReadyToRun=true --runtime linux-x64 --self-contained false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# A long-running server profits from tiered PGO (the CLI turns it off for short runs).
ENV DOTNET_TieredPGO=1 \
    POLICYGATE_CACHE_DIR=/var/cache/policygate
RUN mkdir -p /var/cache/policygate && chown 65532:65532 /var/cache/policygate
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["/app/policygate", "serve", "--policies", "/etc/policygate/policies", "--cert-dir", "/etc/policygate/certs"]
