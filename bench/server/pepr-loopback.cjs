// Preloaded into the Pepr controller (node --require): Pepr listens with server.listen(port), on every interface;
// the benchmark keeps all its servers on 127.0.0.1. Only a listen(port[, callback]) call is changed.
const net = require("node:net");

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" && (args.length === 1 || typeof args[1] === "function")) {
    args.splice(1, 0, "127.0.0.1");
  }
  return listen.apply(this, args);
};
