// The wiring extension: starts the language server (`wiring lsp` over stdio) and adds
// "Wiring: Preview diagram", which draws the current file with `wiring render` in a webview
// beside the editor and redraws it on every save. Highlighting is the generated TextMate
// grammar (syntaxes/), declared in package.json.
"use strict";

const vscode = require("vscode");
const { execFile } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

let client; // the language client, while it runs
const previews = new Map(); // a file's path -> its preview panel

function wiringPath() {
  return vscode.workspace.getConfiguration("wiring").get("path") || "wiring";
}

async function startServer(context) {
  if (!vscode.workspace.getConfiguration("wiring").get("server.enabled", true)) return;
  // Required only here: a user without the server still gets highlighting and the preview.
  const { LanguageClient, TransportKind } = require("vscode-languageclient/node");
  const run = { command: wiringPath(), args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient("wiring", "Wiring language server", { run, debug: run }, {
    documentSelector: [{ scheme: "file", language: "wiring" }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.wd") },
  });
  try {
    await client.start();
  } catch (err) {
    vscode.window.showWarningMessage(
      `Wiring: could not start \`${wiringPath()} lsp\` (${err.message || err}). ` +
        "Set wiring.path to the wiring program, such as .venv/bin/wiring.");
    client = undefined;
  }
}

// Draw `file` to a temporary SVG; resolves to {svg} or {error: the diagnostics text}.
function render(file) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wiring-preview-"));
  const out = path.join(dir, "preview.svg");
  const args = ["render", file, "--format", "svg", "-o", out, "--color", "never"];
  return new Promise((resolve) => {
    execFile(wiringPath(), args, { cwd: path.dirname(file), timeout: 60000 },
      (err, stdout, stderr) => {
        let result;
        if (!err && fs.existsSync(out)) {
          result = { svg: fs.readFileSync(out, "utf8"), notes: stderr };
        } else {
          const why = err && err.code === "ENOENT"
            ? `The wiring program \`${wiringPath()}\` was not found: set wiring.path.`
            : stderr || (err && err.message) || "wiring render wrote nothing";
          result = { error: why };
        }
        fs.rmSync(dir, { recursive: true, force: true });
        resolve(result);
      });
  });
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

// The page: the picture as an <img> of a data: URI (its scripts never run), or the diagnostics.
function page(file, result) {
  const csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline';";
  const body = result.error
    ? `<h3>${escapeHtml(path.basename(file))} does not render</h3><pre>${escapeHtml(result.error)}</pre>`
    : `<img alt="${escapeHtml(path.basename(file))}" src="data:image/svg+xml;base64,${Buffer.from(result.svg).toString("base64")}">` +
      (result.notes ? `<pre>${escapeHtml(result.notes)}</pre>` : "");
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<style>body{background:#fff;color:#000;margin:8px} img{max-width:100%} pre{white-space:pre-wrap}</style>
</head><body>${body}</body></html>`;
}

async function refresh(file) {
  const panel = previews.get(file);
  if (panel) panel.webview.html = page(file, await render(file));
}

async function preview() {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== "wiring") {
    vscode.window.showInformationMessage("Wiring: open a .wd file to preview its diagram.");
    return;
  }
  const file = editor.document.fileName;
  let panel = previews.get(file);
  if (panel) {
    panel.reveal(vscode.ViewColumn.Beside, true);
  } else {
    panel = vscode.window.createWebviewPanel("wiring.preview", `Preview ${path.basename(file)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: false });
    previews.set(file, panel);
    panel.onDidDispose(() => previews.delete(file));
  }
  if (editor.document.isDirty) await editor.document.save();
  await refresh(file);
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("wiring.preview", preview),
    // Any saved .wd may be imported by a previewed file: redraw every open preview.
    vscode.workspace.onDidSaveTextDocument((doc) => doc.languageId === "wiring"
      ? Promise.all([...previews.keys()].map(refresh)) : undefined));
  return startServer(context);
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
