// Run the extension as VS Code would, against a stand-in for the `vscode` API (and for the
// language client, whose server another test speaks to): activate it, run "Wiring: Preview
// diagram" on FILE, then save FILE with the text of AFTER and let the preview redraw. Prints
// what the extension did as JSON for tests/test_textmate.py.
//   node test/extension.js WIRING FILE AFTER
"use strict";

const fs = require("fs");
const Module = require("module");

const [wiring, file, after] = process.argv.slice(2);
const seen = { clients: [], commands: {}, panels: [], messages: [] };
let onSave;

const vscode = {
  ViewColumn: { Beside: -2 },
  workspace: {
    getConfiguration: () => ({ get: (key, fallback) => (key === "path" ? wiring : fallback) }),
    createFileSystemWatcher: (glob) => ({ glob }),
    onDidSaveTextDocument: (callback) => { onSave = callback; return { dispose() {} }; },
  },
  window: {
    activeTextEditor: { document: { languageId: "wiring", fileName: file, isDirty: false } },
    createWebviewPanel: (id, title, column, options) => {
      const panel = { id, title, options, webview: { html: "" }, reveal() {}, onDidDispose() {} };
      seen.panels.push(panel);
      return panel;
    },
    showWarningMessage: (text) => seen.messages.push(text),
    showInformationMessage: (text) => seen.messages.push(text),
  },
  commands: { registerCommand: (name, run) => { seen.commands[name] = run; return {}; } },
};

class LanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    seen.clients.push({ id, name, server: serverOptions.run, selector: clientOptions.documentSelector });
  }
  start() { return Promise.resolve(); }
  stop() { return Promise.resolve(); }
}

const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === "vscode") return vscode;
  if (request === "vscode-languageclient/node") return { LanguageClient, TransportKind: { stdio: 0 } };
  return load.call(this, request, ...rest);
};

async function main() {
  const extension = require("../extension.js");
  await extension.activate({ subscriptions: [] });
  await seen.commands["wiring.preview"]();
  const first = seen.panels[0].webview.html;
  fs.writeFileSync(file, fs.readFileSync(after));
  await onSave({ languageId: "wiring", fileName: file });
  const second = seen.panels[0].webview.html;
  await extension.deactivate();
  process.stdout.write(JSON.stringify({
    clients: seen.clients, commands: Object.keys(seen.commands), panels: seen.panels.length,
    title: seen.panels[0].title, scripts: seen.panels[0].options.enableScripts,
    messages: seen.messages, first, second,
  }) + "\n");
}

main().catch((err) => {
  process.stderr.write(`extension test: ${err.stack || err}\n`);
  process.exit(2);
});
