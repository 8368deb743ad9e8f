#!/usr/bin/env bash
# Tests of the editor integrations:
#   1. the VS Code extension: `npm ci && npm test` in editors/vscode (the
#      TextMate grammar's annotated samples, and a smoke test of extension.js);
#   2. if `nvim` is on PATH: editors/neovim/sinfra.lua in a headless Neovim on
#      a tiny project, against the real sinfra-lsp (an E0301 must arrive as a
#      diagnostic, and completion must return items);
#   3. the tree-sitter grammar in editors/tree-sitter-sinfra: `npm ci`, then
#      the committed parser must be what `tree-sitter generate` makes of
#      grammar.js, `tree-sitter test` (corpus and highlight tests) must pass,
#      and every .sinfra file of the repository must parse without an ERROR
#      or MISSING node (script/check-repo.sh).
#
# Environment:
#   SINFRA_LSP       the server binary (default: target/{debug,release}/sinfra-lsp,
#                    built with `cargo build -p sinfra-lsp` when neither exists)
#   NVIM_BIN         the Neovim binary (default: nvim on PATH; skipped when absent
#                    or older than 0.9)
#   SINFRA_SKIP_NPM  set to 1 to skip the VS Code tests
#   SINFRA_SKIP_TREE_SITTER  set to 1 to skip the tree-sitter tests
#   TREE_SITTER      a tree-sitter CLI to use instead of the one `npm ci`
#                    installs (its install step downloads the binary from
#                    GitHub releases; where that is not reachable:
#                    `cargo install tree-sitter-cli@0.25.10 --locked`)
#   TIMEOUT_S        the limit for each step in seconds (default 300)
#   SINFRA_CHECK_TIMEOUT_MS  how long Neovim waits for the client, the E0301 and
#                    the completion answer, each (default 60000)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
timeout_s="${TIMEOUT_S:-300}"
failures=0

step() { printf '\n== %s\n' "$*"; }
fail() { printf '\nFAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }

# --- 1. VS Code ------------------------------------------------------------
if [[ "${SINFRA_SKIP_NPM:-0}" == 1 ]]; then
  step "VS Code: skipped (SINFRA_SKIP_NPM=1)"
elif ! command -v npm >/dev/null; then
  fail "VS Code: npm is not on PATH (install Node.js 18 or later)"
else
  step "VS Code: npm ci && npm test (editors/vscode)"
  if (cd "$here/vscode" && timeout "$timeout_s" npm ci --no-audit --no-fund --loglevel=error && timeout "$timeout_s" npm test); then
    echo "VS Code: ok"
  else
    fail "VS Code: the grammar or extension tests failed (output above)"
  fi
fi

# --- 2. Neovim -------------------------------------------------------------
nvim_bin="${NVIM_BIN:-$(command -v nvim || true)}"
if [[ -z "$nvim_bin" ]]; then
  step "Neovim: skipped (nvim is not on PATH)"
else
  step "Neovim: editors/neovim/sinfra.lua, headless, against sinfra-lsp"
  nvim_version="$("$nvim_bin" --version | head -n 1)"
  echo "$nvim_version ($nvim_bin)"
  if ! "$nvim_bin" --headless -u NONE -i NONE -c 'lua if vim.fn.has("nvim-0.9") ~= 1 then vim.cmd("cquit 1") end' -c 'qall!' 2>/dev/null; then
    echo "Neovim: skipped ($nvim_version is too old: sinfra.lua needs 0.9 or later; set NVIM_BIN)"
  else
    lsp="${SINFRA_LSP:-}"
    if [[ -z "$lsp" ]]; then
      target="${CARGO_TARGET_DIR:-$root/target}"
      for candidate in "$target/debug/sinfra-lsp" "$target/release/sinfra-lsp"; do
        if [[ -x "$candidate" ]]; then lsp="$candidate"; break; fi
      done
      if [[ -z "$lsp" ]]; then
        echo "no sinfra-lsp in $target: cargo build -p sinfra-lsp"
        (cd "$root" && cargo build -p sinfra-lsp) || fail "Neovim: cargo build -p sinfra-lsp failed"
        lsp="$target/debug/sinfra-lsp"
      fi
    fi
    if [[ ! -x "$lsp" ]]; then
      fail "Neovim: no sinfra-lsp binary at $lsp"
    else
      echo "server: $lsp"
      project="$(mktemp -d "${TMPDIR:-/tmp}/sinfra-nvim.XXXXXX")"
      trap 'rm -rf "$project"' EXIT
      # The project of lsp/tests/stdio.rs: `api` runs in prod and reads the latest tier's cache (E0301).
      printf '[project]\nname = "demo"\n' > "$project/sinfra.toml"
      printf 'api = "ghcr.io/acme/api:1.0.0"\n' > "$project/versions.toml"
      cat > "$project/platform.sinfra" <<'EOF'
import std.gcp

platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
protected tier prod
region us = "us-central1"
stack latest_us { tier = latest, region = us, cluster = "https://k8s-latest" }
stack prod_us { tier = prod, region = us, cluster = "https://k8s-prod" }

resource cache: gcp.Redis {}
EOF
      cat > "$project/services.sinfra" <<'EOF'
import std.k8s

/// The public API.
service api: k8s.WebService {
  image    = image("api")
  replicas = match tier { prod => 6, _ => 1 }
  env      = { REDIS = cache@latest.host }

}
EOF
      # sinfra.lua starts `sinfra-lsp` from PATH, as a user's setup does.
      bin_dir="$(mktemp -d "${TMPDIR:-/tmp}/sinfra-bin.XXXXXX")"
      trap 'rm -rf "$project" "$bin_dir"' EXIT
      ln -s "$(cd "$(dirname "$lsp")" && pwd)/$(basename "$lsp")" "$bin_dir/sinfra-lsp"

      run_nvim() { # $1: a Lua statement run before sinfra.lua (to pick the API under test)
        (cd "$project" && PATH="$bin_dir:$PATH" SINFRA_CHECK_TIMEOUT_MS="${SINFRA_CHECK_TIMEOUT_MS:-60000}" timeout "$timeout_s" \
          "$nvim_bin" --headless -i NONE -n \
          --cmd "lua $1" \
          -u "$here/neovim/sinfra.lua" \
          -c "luafile $here/neovim/test/check.lua" \
          services.sinfra)
      }
      echo "-- vim.lsp.config/vim.lsp.enable (Neovim 0.11+) where available, else vim.lsp.start"
      run_nvim "-- defaults" || fail "Neovim: sinfra.lua with this Neovim's preferred API (see above)"
      if "$nvim_bin" --headless -u NONE -i NONE -c 'lua if vim.lsp.enable == nil then vim.cmd("cquit 1") end' -c 'qall!' 2>/dev/null; then
        echo "-- the Neovim 0.9/0.10 path: vim.lsp.start from a FileType autocmd (vim.lsp.enable hidden)"
        run_nvim "vim.lsp.enable = nil" || fail "Neovim: sinfra.lua's vim.lsp.start fallback (see above)"
      fi
    fi
  fi
fi

# --- 3. tree-sitter ---------------------------------------------------------
ts_dir="$here/tree-sitter-sinfra"
ts_version="$(sed -n 's/.*"tree-sitter-cli": *"\([^"]*\)".*/\1/p' "$ts_dir/package.json" | head -n 1)"
if [[ "${SINFRA_SKIP_TREE_SITTER:-0}" == 1 ]]; then
  step "tree-sitter: skipped (SINFRA_SKIP_TREE_SITTER=1)"
else
  ts="${TREE_SITTER:-}"
  if [[ -n "$ts" ]]; then
    step "tree-sitter: TREE_SITTER=$ts"
  elif ! command -v npm >/dev/null; then
    fail "tree-sitter: npm is not on PATH (install Node.js 18 or later, or set TREE_SITTER to a tree-sitter $ts_version binary)"
  else
    step "tree-sitter: npm ci (editors/tree-sitter-sinfra)"
    if (cd "$ts_dir" && timeout "$timeout_s" npm ci --no-audit --no-fund --loglevel=error) \
      && [[ -e "$ts_dir/node_modules/tree-sitter-cli/tree-sitter" ]]; then
      ts="$ts_dir/node_modules/.bin/tree-sitter"
    elif command -v tree-sitter >/dev/null; then
      ts="$(command -v tree-sitter)"
      echo "npm ci did not install the tree-sitter binary (its install step downloads it from GitHub releases); using $ts"
    else
      fail "tree-sitter: npm ci did not install the tree-sitter binary (its install step downloads it from GitHub releases, see above); set TREE_SITTER to a tree-sitter $ts_version binary (cargo install tree-sitter-cli@$ts_version --locked) or SINFRA_SKIP_TREE_SITTER=1"
    fi
  fi
  if [[ -n "$ts" ]]; then
    if ! ts_has="$("$ts" --version 2>&1)"; then
      fail "tree-sitter: $ts does not run: $ts_has"
    else
      echo "$ts_has ($ts)"
      [[ "$ts_has" == *" $ts_version"* ]] || echo "note: package.json pins tree-sitter-cli $ts_version; the generated parser may differ"
      # A configuration of its own, so the CLI neither warns about a missing
      # ~/.config/tree-sitter nor loads the user's grammars.
      ts_home="$(mktemp -d "${TMPDIR:-/tmp}/sinfra-ts.XXXXXX")"
      printf '{ "parser-directories": [] }\n' > "$ts_home/config.json"
      export TREE_SITTER_DIR="$ts_home"

      step "tree-sitter: src/ is what \`tree-sitter generate\` makes of grammar.js"
      mkdir -p "$ts_home/gen"
      cp "$ts_dir/grammar.js" "$ts_dir/tree-sitter.json" "$ts_home/gen/"
      if ! (cd "$ts_home/gen" && timeout "$timeout_s" "$ts" generate --abi 14); then
        fail "tree-sitter: generate failed on grammar.js (output above)"
      elif ! diff -r -q "$ts_home/gen/src" "$ts_dir/src"; then
        fail "tree-sitter: src/ is stale: run \`npx tree-sitter generate --abi 14\` in editors/tree-sitter-sinfra and commit src/"
      else
        echo "tree-sitter: src/ is up to date"
      fi

      step "tree-sitter: tree-sitter test (corpus and highlight tests)"
      if (cd "$ts_dir" && timeout "$timeout_s" "$ts" test); then
        echo "tree-sitter: tests ok"
      else
        fail "tree-sitter: \`tree-sitter test\` failed in editors/tree-sitter-sinfra (output above)"
      fi

      step "tree-sitter: every .sinfra file of the repository parses (script/check-repo.sh)"
      if timeout "$timeout_s" "$ts_dir/script/check-repo.sh" "$ts"; then
        echo "tree-sitter: whole-repo parse ok"
      else
        fail "tree-sitter: some .sinfra files do not parse cleanly with the grammar (listed above)"
      fi
      rm -rf "$ts_home"
    fi
  fi
fi

echo
if ((failures > 0)); then
  echo "editors/test.sh: $failures failed"
  exit 1
fi
echo "editors/test.sh: all passed"
