#!/usr/bin/env bash
# End-to-end on a real cluster (kind): deploys PolicyGate with two replicas, applies a ClusterAdmissionPolicy, shows a
# bad Pod refused and its Event, and changes the policy without restarting anything.
# Needs Docker, kind and kubectl; not run in CI (there is no Docker engine there). Usage: tests/e2e/run.sh [--keep]
set -euo pipefail

cd "$(dirname "$0")/../.."
CLUSTER=policygate-e2e
NS=policygate
APP_NS=e2e
IMAGE=policygate:e2e
KEEP=${1:-}
WORK=$(mktemp -d)

for tool in docker kind kubectl; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed (see tests/e2e/README.md)" >&2; exit 2; }
done

cleanup() {
  rm -rf "$WORK"
  if [ "$KEEP" != "--keep" ]; then kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Polls a command until it succeeds, up to $1 seconds.
until_ok() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 1
  done
}

step "cluster and image"
kind create cluster --name "$CLUSTER" --wait 120s
docker build -t "$IMAGE" .
kind load docker-image "$IMAGE" --name "$CLUSTER"

step "install: kubectl apply -k deploy/ (its image swapped for the one just built)"
kubectl create namespace "$APP_NS"
kubectl kustomize deploy | sed "s#image: policygate:0.1.0#image: $IMAGE#" | kubectl apply -f -
kubectl -n "$NS" wait --for=condition=complete job/policygate-certs --timeout=180s
kubectl -n "$NS" rollout status deployment/policygate --timeout=180s

step "the leader registers the webhooks"
until_ok 60 kubectl get validatingwebhookconfiguration policygate || fail "no ValidatingWebhookConfiguration policygate"
kubectl -n "$NS" get lease policygate-leader -o jsonpath='{.spec.holderIdentity}{"\n"}'

step "a policy: pods need a team label"
policy() {
  kubectl apply -f - <<YAML
apiVersion: policygate.io/v1
kind: ClusterAdmissionPolicy
metadata: {name: team-label}
spec:
  rules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: [CREATE]}]
  script: |
    return Metadata?.Labels?.ContainsKey("team") == true ? Allow() : Deny("$1");
YAML
}
policy "v1: pods need a team label"
kubectl wait --for=condition=Ready clusteradmissionpolicy/team-label --timeout=60s
kubectl get cap team-label
until_ok 60 bash -c "kubectl get validatingwebhookconfiguration policygate -o jsonpath='{.webhooks[*].name}' | grep -q team-label.policygate.io" \
  || fail "the policy's webhook was not registered"

step "a bad Pod is refused, and its Event is there"
refused() {
  ! kubectl -n "$APP_NS" run "bad-$RANDOM" --image=registry.k8s.io/pause:3.10 --restart=Never 2>"$WORK/err" && grep -q "$1" "$WORK/err"
}
until_ok 30 refused "v1: pods need a team label" || fail "the unlabelled Pod was not refused with v1's message: $(cat "$WORK/err")"
cat "$WORK/err"
until_ok 30 bash -c "kubectl -n $APP_NS get events --field-selector reason=PolicyViolation -o name | grep -q ." || fail "no PolicyViolation Event"
kubectl -n "$APP_NS" get events --field-selector reason=PolicyViolation
kubectl describe clusteradmissionpolicy team-label | tail -n 15
kubectl -n "$APP_NS" run good --image=registry.k8s.io/pause:3.10 --restart=Never --labels=team=e2e

step "the policy changes, nothing restarts"
pods_before=$(kubectl -n "$NS" get pods -l app.kubernetes.io/name=policygate -o jsonpath='{range .items[*]}{.metadata.uid}:{.status.containerStatuses[0].restartCount} {end}')
policy "v2: every pod needs a team label"
until_ok 30 refused "v2: every pod needs a team label" || fail "the changed policy is not enforcing: $(cat "$WORK/err")"
cat "$WORK/err"
pods_after=$(kubectl -n "$NS" get pods -l app.kubernetes.io/name=policygate -o jsonpath='{range .items[*]}{.metadata.uid}:{.status.containerStatuses[0].restartCount} {end}')
[ "$pods_before" = "$pods_after" ] || fail "PolicyGate's pods changed or restarted: $pods_before -> $pods_after"

step "a policy that does not compile is refused by kubectl apply"
if kubectl apply -f - 2>"$WORK/err" <<YAML
apiVersion: policygate.io/v1
kind: ClusterAdmissionPolicy
metadata: {name: broken}
spec:
  rules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: [CREATE]}]
  script: return Nope();
YAML
then fail "a policy that does not compile was accepted"; fi
grep -q CS0103 "$WORK/err" || fail "kubectl apply did not show the compiler's error: $(cat "$WORK/err")"
cat "$WORK/err"

echo
echo "PASS: PolicyGate on kind: registered, enforcing, Events written, hot-reloaded without a restart"
