// A stand-in Kubernetes API server for the server benchmark (run.sh), just enough for a Pepr controller to start
// without a cluster. Pepr binds its admission endpoints only after it has read its PeprStore object
// (pepr.dev/v1, namespace pepr-system, named pepr-<module uuid>-store); at start it asks for:
//
//   GET   /apis/pepr.dev/v1/namespaces/pepr-system/peprstores/NAME          read the store (404: it creates it)
//   PATCH /apis/pepr.dev/v1/namespaces/pepr-system/peprstores/NAME          server-side apply (create) or JSON Patch
//   GET   /apis/pepr.dev/v1/namespaces/pepr-system/peprstores?fieldSelector=metadata.name%3DNAME   list, then
//   GET   ...same...&watch=true&resourceVersion=N                           a watch stream, kept open
//
// Objects live in memory; every request is logged as one line on stderr, and anything else is answered 404 and
// logged as "unhandled", so a newer Pepr that asks for more shows it there.
// Usage: node fake-kube-api.mjs PORT  (listens on 127.0.0.1 only, plain HTTP; the kubeconfig says http://)
import http from "node:http";

const port = Number(process.argv[2] ?? "0");
const objects = new Map(); // "namespace/name" -> PeprStore
const watchers = new Set(); // { namespace, name, res }
let resourceVersion = 1;

const storePath = /^\/apis\/pepr\.dev\/v1\/namespaces\/([^/]+)\/peprstores(?:\/([^/]+))?$/;

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function notFound(res, what) {
  send(res, 404, {
    apiVersion: "v1", kind: "Status", status: "Failure", reason: "NotFound", code: 404,
    message: `${what} not found`,
  });
}

function notify(type, object) {
  const [namespace, name] = [object.metadata.namespace, object.metadata.name];
  for (const w of watchers) {
    if (w.namespace === namespace && (!w.name || w.name === name)) {
      w.res.write(JSON.stringify({ type, object }) + "\n");
    }
  }
}

// JSON Patch (RFC 6902) add/replace/remove, the operations Pepr's store sends.
function applyJsonPatch(target, operations) {
  for (const op of operations) {
    const keys = op.path.split("/").slice(1).map(k => k.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = keys.pop();
    let parent = target;
    for (const key of keys) {
      parent[key] ??= {};
      parent = parent[key];
    }
    if (op.op === "add" || op.op === "replace") {
      parent[last] = op.value;
    } else if (op.op === "remove") {
      delete parent[last];
    } else {
      throw new Error(`unsupported JSON Patch op ${op.op}`);
    }
  }
}

function stamp(object, namespace, name) {
  object.apiVersion = "pepr.dev/v1";
  object.kind = "PeprStore";
  object.metadata = { ...object.metadata, namespace, name, resourceVersion: String(++resourceVersion) };
  object.metadata.uid ??= `00000000-0000-0000-0000-${String(resourceVersion).padStart(12, "0")}`;
  return object;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  let body = "";
  req.on("data", chunk => (body += chunk));
  req.on("end", () => {
    console.error(`${req.method} ${req.url} ${req.headers["content-type"] ?? ""}`);
    const match = storePath.exec(url.pathname);
    if (!match) {
      // Pepr's controller.js entry point (not used by the bench) would first apply the PeprStore CRD.
      if (req.method === "PATCH" && url.pathname.startsWith("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/")) {
        send(res, 200, JSON.parse(body));
        return;
      }
      console.error(`unhandled ${req.method} ${req.url}`);
      notFound(res, url.pathname);
      return;
    }

    const [, namespace, name] = match;
    const key = `${namespace}/${name}`;
    try {
      if (name && req.method === "GET") {
        objects.has(key) ? send(res, 200, objects.get(key)) : notFound(res, `peprstores ${name}`);
      } else if (name && req.method === "PATCH") {
        const type = (req.headers["content-type"] ?? "").split(";")[0];
        const existed = objects.has(key);
        let object;
        if (type === "application/apply-patch+yaml") {
          // Server-side apply: kubernetes-fluent-client sends JSON (a subset of YAML).
          const applied = JSON.parse(body);
          const current = objects.get(key) ?? {};
          object = { ...current, ...applied, metadata: { ...current.metadata, ...applied.metadata } };
        } else if (type === "application/json-patch+json") {
          if (!existed) {
            notFound(res, `peprstores ${name}`);
            return;
          }
          object = structuredClone(objects.get(key));
          applyJsonPatch(object, JSON.parse(body));
        } else {
          send(res, 415, { kind: "Status", code: 415, message: `unsupported patch type ${type}` });
          return;
        }
        objects.set(key, stamp(object, namespace, name));
        notify(existed ? "MODIFIED" : "ADDED", object);
        send(res, existed ? 200 : 201, object);
      } else if (!name && req.method === "GET") {
        const selected = url.searchParams.get("fieldSelector")?.match(/^metadata\.name=(.+)$/)?.[1];
        if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
          res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
          res.flushHeaders();
          const watcher = { namespace, name: selected, res };
          watchers.add(watcher);
          req.socket.on("close", () => watchers.delete(watcher));
          return;
        }
        const items = [...objects.values()].filter(
          o => o.metadata.namespace === namespace && (!selected || o.metadata.name === selected));
        send(res, 200, {
          apiVersion: "pepr.dev/v1", kind: "PeprStoreList", metadata: { resourceVersion: String(resourceVersion) }, items,
        });
      } else {
        console.error(`unhandled ${req.method} ${req.url}`);
        notFound(res, url.pathname);
      }
    } catch (e) {
      console.error(`error ${req.method} ${req.url}: ${e}`);
      send(res, 500, { kind: "Status", code: 500, message: String(e) });
    }
  });
});

server.listen(port, "127.0.0.1", () => {
  console.error(`fake-kube-api listening on 127.0.0.1:${server.address().port}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => process.exit(0));
}
