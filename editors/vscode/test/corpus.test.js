// Every .sinfra file of the repository (the standard library, the example)
// tokenizes without `invalid.*` scopes, and ends with no string,
// interpolation or parameter list left open.
"use strict";

const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const vt = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const root = path.resolve(__dirname, "../../..");
const grammarPath = path.resolve(__dirname, "../syntaxes/sinfra.tmLanguage.json");

function sinfraFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sinfraFiles(p);
    return e.name.endsWith(".sinfra") ? [p] : [];
  });
}

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vt.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vt.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath),
  });
  return registry.loadGrammar("source.sinfra");
}

test("the stdlib and the example tokenize cleanly", async () => {
  const grammar = await loadGrammar();
  const files = [...sinfraFiles(path.join(root, "stdlib")), ...sinfraFiles(path.join(root, "examples"))];
  assert.ok(files.length >= 10, `found only ${files.length} .sinfra files under ${root}`);
  const problems = [];
  for (const file of files) {
    const rel = path.relative(root, file);
    let state = vt.INITIAL;
    fs.readFileSync(file, "utf8").split("\n").forEach((line, i) => {
      const { tokens, ruleStack } = grammar.tokenizeLine(line, state);
      for (const t of tokens) {
        const invalid = t.scopes.find((s) => s.startsWith("invalid"));
        if (invalid) problems.push(`${rel}:${i + 1}:${t.startIndex + 1}: ${invalid}`);
      }
      state = ruleStack;
    });
    if (state.depth > 1) problems.push(`${rel}: a rule is still open at the end of the file`);
  }
  assert.deepStrictEqual(problems, []);
});
