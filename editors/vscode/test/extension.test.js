// Smoke test of src/extension.js without VS Code: `vscode` and the language
// client are stubbed, and the test checks what the extension asks them for.
"use strict";

const test = require("node:test");
const assert = require("node:assert");
const Module = require("node:module");

function load({ serverPath, startError } = {}) {
  const calls = { clients: [], watchers: [], errors: [], commands: [], stopped: 0 };
  const vscode = {
    workspace: {
      getConfiguration: (section) => ({ get: (key) => (section === "sinfra" && key === "server.path" ? serverPath : undefined) }),
      createFileSystemWatcher: (glob) => (calls.watchers.push(glob), { glob }),
      onDidChangeConfiguration: () => ({ dispose() {} }),
    },
    window: { showErrorMessage: (msg) => (calls.errors.push(msg), Promise.resolve(undefined)) },
    commands: {
      registerCommand: (id) => (calls.commands.push(id), { dispose() {} }),
      executeCommand: () => Promise.resolve(),
    },
  };
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      calls.clients.push({ id, name, serverOptions, clientOptions });
    }
    start() {
      return startError ? Promise.reject(new Error(startError)) : Promise.resolve();
    }
    stop() {
      calls.stopped++;
      return Promise.resolve();
    }
  }
  const client = { LanguageClient, TransportKind: { stdio: 0, ipc: 1 } };

  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    if (request === "vscode" || request === "vscode-languageclient/node") return request;
    return resolve.call(this, request, ...rest);
  };
  require.cache.vscode = { id: "vscode", loaded: true, exports: vscode };
  require.cache["vscode-languageclient/node"] = { id: "lc", loaded: true, exports: client };
  const path = require.resolve("../src/extension.js");
  delete require.cache[path];
  try {
    return { extension: require(path), calls };
  } finally {
    Module._resolveFilename = resolve;
  }
}

const context = () => ({ subscriptions: [] });

test("starts sinfra-lsp over stdio for sinfra documents", async () => {
  const { extension, calls } = load();
  await extension.activate(context());
  assert.strictEqual(calls.clients.length, 1);
  const { serverOptions, clientOptions } = calls.clients[0];
  assert.deepStrictEqual(serverOptions, { command: "sinfra-lsp", args: [], transport: 0 });
  assert.deepStrictEqual(clientOptions.documentSelector, [{ language: "sinfra" }]);
  assert.deepStrictEqual(calls.watchers, ["**/*.sinfra", "**/sinfra.toml"]);
  assert.deepStrictEqual(calls.commands, ["sinfra.restartServer"]);
  await extension.deactivate();
  assert.strictEqual(calls.stopped, 1);
});

test("the server path comes from sinfra.server.path", async () => {
  const { extension, calls } = load({ serverPath: "/opt/sinfra/bin/sinfra-lsp" });
  await extension.activate(context());
  assert.strictEqual(calls.clients[0].serverOptions.command, "/opt/sinfra/bin/sinfra-lsp");
});

test("a server that does not start is reported, not thrown", async () => {
  const { extension, calls } = load({ serverPath: "nope-lsp", startError: "spawn nope-lsp ENOENT" });
  await extension.activate(context());
  assert.strictEqual(calls.errors.length, 1);
  assert.match(calls.errors[0], /nope-lsp/);
  assert.match(calls.errors[0], /sinfra\.server\.path/);
});
