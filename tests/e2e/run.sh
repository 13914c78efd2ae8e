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

for tool in docker kind kubectl dotnet; do
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

step "CRDs, namespace, certificate"
kubectl apply -k deploy/crds
kubectl create namespace "$NS"
kubectl create namespace "$APP_NS"
dotnet run --project src/PolicyGate.Cli -- certs generate --service policygate --namespace "$NS" --out "$WORK/certs" >/dev/null
kubectl -n "$NS" create secret generic policygate-tls \
  --from-file=tls.crt="$WORK/certs/tls.crt" --from-file=tls.key="$WORK/certs/tls.key" --from-file=ca.crt="$WORK/certs/ca.crt"

step "RBAC, Deployment (2 replicas), Service"
kubectl apply -f - <<YAML
apiVersion: v1
kind: ServiceAccount
metadata: {name: policygate, namespace: $NS}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: policygate}
rules:
- {apiGroups: [policygate.io], resources: [clusteradmissionpolicies, admissionpolicies], verbs: [get, list, watch]}
- {apiGroups: [policygate.io], resources: [clusteradmissionpolicies/status, admissionpolicies/status], verbs: [patch]}
- {apiGroups: [""], resources: [namespaces, configmaps], verbs: [list, watch]}
- {apiGroups: [events.k8s.io], resources: [events], verbs: [create, patch]}
- {apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations, mutatingwebhookconfigurations], verbs: [get, create, update]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: policygate}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: policygate}
subjects: [{kind: ServiceAccount, name: policygate, namespace: $NS}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: policygate-leases, namespace: $NS}
rules:
- {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, list, create, update, delete]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: policygate-leases, namespace: $NS}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: policygate-leases}
subjects: [{kind: ServiceAccount, name: policygate, namespace: $NS}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: policygate, namespace: $NS}
spec:
  replicas: 2
  selector: {matchLabels: {app.kubernetes.io/name: policygate}}
  template:
    metadata: {labels: {app.kubernetes.io/name: policygate}}
    spec:
      serviceAccountName: policygate
      securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: policygate
        image: $IMAGE
        imagePullPolicy: Never
        command: [/app/policygate]
        args: [serve, --cert-dir, /etc/policygate/certs]
        env:
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
        ports: [{containerPort: 8443}]
        readinessProbe: {httpGet: {path: /readyz, port: 8443, scheme: HTTPS}}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        volumeMounts:
        - {name: certs, mountPath: /etc/policygate/certs, readOnly: true}
        - {name: cache, mountPath: /var/cache/policygate}
      volumes:
      - {name: certs, secret: {secretName: policygate-tls}}
      - {name: cache, emptyDir: {}}
---
apiVersion: v1
kind: Service
metadata: {name: policygate, namespace: $NS}
spec:
  selector: {app.kubernetes.io/name: policygate}
  ports: [{port: 8443, targetPort: 8443}]
YAML
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
