#!/usr/bin/env bash
# Parses every .sinfra file of the repository that the compiler accepts — stdlib/,
# examples/ and tests/cases/ (except tests/cases/syntax/, whose fixtures hold
# deliberate syntax errors) — and fails when the tree of any of them has an
# ERROR or MISSING node.
#
# Usage: script/check-repo.sh [TREE_SITTER]
#   TREE_SITTER  the tree-sitter command (default: $TREE_SITTER, else
#                node_modules/.bin/tree-sitter, else tree-sitter on PATH)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

ts="${1:-${TREE_SITTER:-}}"
if [[ -z "$ts" ]]; then
  if [[ -x node_modules/.bin/tree-sitter && -e node_modules/tree-sitter-cli/tree-sitter ]]; then
    ts="$here/node_modules/.bin/tree-sitter"
  else
    ts="$(command -v tree-sitter || true)"
  fi
fi
if [[ -z "$ts" ]]; then
  echo "check-repo: no tree-sitter CLI (run npm ci here, or set TREE_SITTER)" >&2
  exit 2
fi

list="$(mktemp "${TMPDIR:-/tmp}/sinfra-ts-files.XXXXXX")"
out="$(mktemp "${TMPDIR:-/tmp}/sinfra-ts-parse.XXXXXX")"
trap 'rm -f "$list" "$out"' EXIT

(cd "$root" && find stdlib examples tests/cases -name '*.sinfra' -not -path 'tests/cases/syntax/*' -print | LC_ALL=C sort) \
  | sed "s|^|$root/|" > "$list"
total="$(wc -l < "$list" | tr -d ' ')"
if [[ "$total" -eq 0 ]]; then
  echo "check-repo: found no .sinfra files under $root" >&2
  exit 2
fi

# --quiet prints one line per file whose tree has an ERROR or MISSING node;
# the exit code is non-zero when there is one.
status=0
"$ts" parse --quiet --paths "$list" > "$out" 2>&1 || status=$?
bad="$(grep -c -E '\((ERROR|MISSING)' "$out" || true)"
if [[ "$status" -ne 0 || "$bad" -ne 0 ]]; then
  grep -v -E '^(Warning: You have not configured|Please run `tree-sitter init-config`|configuration file to indicate|language grammars\.|$)' "$out" | sed "s|$root/||" >&2 || true
  echo "check-repo: $bad of $total files do not parse cleanly (tree-sitter exit $status)" >&2
  exit 1
fi
echo "check-repo: all $total files parse without ERROR or MISSING nodes"

lenient=0
checked=0
for fixture in "$root"/tests/cases/syntax/*.sinfra; do
  [[ -e "$fixture" ]] || continue
  [[ "$(basename "$fixture")" == e0003_nesting_too_deep.sinfra ]] && continue
  checked=$((checked + 1))
  if "$ts" parse --quiet "$fixture" > /dev/null 2>&1; then
    echo "check-repo: ${fixture#"$root"/} has deliberate syntax errors, but its tree has no ERROR or MISSING node" >&2
    lenient=$((lenient + 1))
  fi
done
if [[ "$lenient" -ne 0 ]]; then
  echo "check-repo: the grammar accepts $lenient of $checked files the compiler rejects" >&2
  exit 1
fi
echo "check-repo: all $checked fixtures of tests/cases/syntax/ have ERROR or MISSING nodes, as they should"
