// The sinfra extension: starts `sinfra-lsp` over stdio for `.sinfra` files.
// Plain CommonJS, no build step.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;

function serverCommand() {
  const configured = vscode.workspace.getConfiguration("sinfra").get("server.path");
  return (typeof configured === "string" && configured.trim()) || "sinfra-lsp";
}

function createClient() {
  const command = serverCommand();
  /** @type {import("vscode-languageclient/node").ServerOptions} */
  const serverOptions = { command, args: [], transport: TransportKind.stdio };
  /** @type {import("vscode-languageclient/node").LanguageClientOptions} */
  const clientOptions = {
    documentSelector: [{ language: "sinfra" }],
    synchronize: {
      // The server re-reads a project when its sources or `sinfra.toml` change on disk.
      fileEvents: [
        vscode.workspace.createFileSystemWatcher("**/*.sinfra"),
        vscode.workspace.createFileSystemWatcher("**/sinfra.toml"),
      ],
    },
  };
  return new LanguageClient("sinfra", "sinfra language server", serverOptions, clientOptions);
}

async function start() {
  client = createClient();
  try {
    await client.start();
  } catch (err) {
    const message =
      `sinfra: could not start the language server \`${serverCommand()}\` (${err && err.message ? err.message : err}). ` +
      "Install it with `cargo install --path lsp` or set `sinfra.server.path`.";
    vscode.window.showErrorMessage(message, "Open Settings").then((choice) => {
      if (choice === "Open Settings") {
        vscode.commands.executeCommand("workbench.action.openSettings", "sinfra.server.path");
      }
    });
  }
}

async function stop() {
  if (client) {
    const running = client;
    client = undefined;
    // `stop` rejects when the server never started; there is nothing left to stop then.
    await running.stop().catch(() => {});
  }
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("sinfra.restartServer", async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("sinfra.server.path")) {
        await stop();
        await start();
      }
    }),
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
