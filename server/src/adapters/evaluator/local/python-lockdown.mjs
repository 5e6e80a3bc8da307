// Locks down the thread it runs in before any Python runs there, behind the process-wide
// permission model (no file writes, no reads outside Pyodide, no child processes, no addons):
// Node 24 has no network permission yet, so every way out to the network is cut here.
// Each worker thread has its own copies of these modules: the host and every interpreter
// thread call this.
import dgram from "node:dgram";
import { constants as fsConstants } from "node:fs";
import net from "node:net";
import { constants as osConstants } from "node:os";

const refuse = () => {
  throw new Error("Network access is disabled in the sandbox");
};

export function lockDown() {
  net.Socket.prototype.connect = refuse;
  net.Server.prototype.listen = refuse;
  dgram.Socket.prototype.bind = refuse;
  dgram.Socket.prototype.send = refuse;
  dgram.Socket.prototype.connect = refuse;
  for (const name of ["fetch", "WebSocket", "EventSource"]) delete globalThis[name];
  // Pyodide's file system layer reads its flag table through process.binding("constants"),
  // which the permission model refuses; nothing else of process.binding is offered.
  process.binding = (name) => {
    if (name === "constants") return { fs: fsConstants, os: osConstants };
    throw new Error(`process.binding("${name}") is not available in the sandbox`);
  };
}
