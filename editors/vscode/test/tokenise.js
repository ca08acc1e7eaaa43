// Tokenise a file with the extension's TextMate grammar, as VS Code does (vscode-textmate with
// the Oniguruma regex engine), and print each token as JSON: [[line, text, [scopes...]], ...].
// tests/test_textmate.py runs it:  node test/tokenise.js FILE
"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const GRAMMAR = path.join(__dirname, "..", "syntaxes", "wiring.tmLanguage.json");

async function main(file) {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => scopeName === "source.wiring"
      ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, "utf8"), GRAMMAR)
      : null,
  });
  const grammar = await registry.loadGrammar("source.wiring");
  const tokens = [];
  let state = vsctm.INITIAL;
  fs.readFileSync(file, "utf8").split(/\r?\n/).forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      tokens.push([index + 1, line.slice(token.startIndex, token.endIndex), token.scopes]);
    }
    state = result.ruleStack;
  });
  process.stdout.write(JSON.stringify(tokens) + "\n");
}

main(process.argv[2]).catch((err) => {
  process.stderr.write(`tokenise: ${err.stack || err}\n`);
  process.exit(2);
});
