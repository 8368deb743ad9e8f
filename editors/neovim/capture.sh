#!/usr/bin/env bash
# Records what Neovim shows with editors/neovim/sinfra.lua and sinfra-lsp: a
# tier error as you type, and field completion. Drives the real Neovim TUI
# in tmux and prints its screen as text (the README's capture).
#
#   editors/neovim/capture.sh            # needs tmux, nvim 0.9+, a built sinfra-lsp
#   NVIM_BIN=… SINFRA_LSP=… editors/neovim/capture.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
nvim_bin="${NVIM_BIN:-$(command -v nvim)}"
lsp="${SINFRA_LSP:-$root/target/debug/sinfra-lsp}"
command -v tmux >/dev/null || { echo "capture.sh needs tmux" >&2; exit 2; }
[[ -x "$lsp" ]] || { echo "no sinfra-lsp at $lsp: cargo build -p sinfra-lsp" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/sinfra-capture.XXXXXX")"
session="sinfra-capture-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/proj"
ln -s "$lsp" "$work/bin/sinfra-lsp"
cd "$work/proj"
printf '[project]\nname = "acme"\n' > sinfra.toml
printf 'api = "ghcr.io/acme/api:1.4.2"\n' > versions.toml
cat > platform.sinfra <<'SRC'
import std.gcp

platform { ops_repo = "https://github.com/acme/ops.git" }
tier latest
protected tier prod
region us = "us-central1"
stack latest_us { tier = latest, region = us, cluster = "https://k8s-latest" }
stack prod_us { tier = prod, region = us, cluster = "https://k8s-prod" }

resource cache: gcp.Redis {}
SRC
cat > services.sinfra <<'SRC'
import std.k8s

/// The public API.
service api: k8s.WebService @prod {
  image    = image("api")
  replicas = match tier { prod => 6, _ => 1 }
  env      = { REDIS = cache@latest.host }

}
SRC
cat > "$work/init.lua" <<SRC
dofile("$here/sinfra.lua")
vim.o.completeopt = "menuone,noselect"
vim.diagnostic.config({ virtual_text = true, signs = false })
vim.o.laststatus = 0
vim.o.ruler = false
SRC

screen() { tmux capture-pane -p -t "$session" | sed -e 's/[[:space:]]*$//' | sed -e '/^~$/d'; }
PATH="$work/bin:$PATH" tmux new-session -d -s "$session" -x 160 -y 14 \
  "$nvim_bin -i NONE -n -u $work/init.lua services.sinfra"
for _ in $(seq 50); do screen | grep -q "tier mismatch" && break; sleep 0.2; done
echo "# A service in prod reads the latest tier's Redis: the error appears as you type"
screen
tmux send-keys -t "$session" '8G' 'S' '  me'
sleep 0.5
tmux send-keys -t "$session" C-x C-o
for _ in $(seq 50); do screen | grep -q "memory_limit" && break; sleep 0.2; done
echo
echo "# Completion of the fields not set yet, with their types (<C-x><C-o>)"
screen
