#!/usr/bin/env bash
# docs/parameters.md must be what gatesim_params generates from scenarios/defaults.yaml and
# docs/parameter-sources.yaml, and every parameter must have a source entry (and every entry
# must name a parameter). Bad input exits 2.
set -u
params=$1 root=$2
regenerate="build/bin/gatesim_params scenarios/defaults.yaml docs/parameter-sources.yaml > docs/parameters.md"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root" || exit 1
failed=0

# Relative paths, as in the regenerate command: the first line of the document names them.
if ! "$params" scenarios/defaults.yaml docs/parameter-sources.yaml > "$work/parameters.md"; then
  echo "FAIL: gatesim_params could not generate the table"; failed=1
elif ! diff -u docs/parameters.md "$work/parameters.md"; then
  echo "FAIL: docs/parameters.md is out of date (diff above: - committed, + generated). Regenerate it from the"
  echo "      source root with: $regenerate"
  failed=1
fi

if ! "$params" --check scenarios/defaults.yaml docs/parameter-sources.yaml; then
  echo "FAIL: docs/parameter-sources.yaml must have one entry per parameter (listed above); add the missing"
  echo "      ones (a source id of docs/sources.md, or 'assumption'), then: $regenerate"
  failed=1
fi

"$params" scenarios/no-such-file.yaml docs/parameter-sources.yaml > /dev/null 2>&1
rc=$?; [ "$rc" -eq 2 ] || { echo "FAIL: a missing scenario exits $rc, expected 2"; failed=1; }
printf 'days: [1\n' > "$work/broken.yaml"
"$params" scenarios/defaults.yaml "$work/broken.yaml" > /dev/null 2>&1
rc=$?; [ "$rc" -eq 2 ] || { echo "FAIL: a malformed sources file exits $rc, expected 2"; failed=1; }

# Every source id the defaults and the library cite (a hyphenated token with a digit, such as
# aei-2025-09) is listed in docs/sources.md, and the project cites nothing outside itself.
if ! /usr/bin/python3 - docs/sources.md docs/parameter-sources.yaml scenarios/*.yaml <<'PY'
import re, sys
listed = set(re.findall(r"`([a-z][a-z0-9]*(?:-[a-z0-9]+)+)`", open(sys.argv[1]).read()))
token = re.compile(r"\b[a-z][a-z0-9]*(?:-[a-z0-9]+)+\b")
missing = set()
for path in sys.argv[2:]:
    for t in token.findall(open(path).read()):
        if re.search(r"\d", t) and not re.match(r"(mid|end|early|late)-", t) and t not in listed:
            missing.add(f"{path}: {t}")
if missing: print("\n".join(sorted(missing)))
sys.exit(1 if missing else 0)
PY
then
  echo "FAIL: the source ids above are not listed in docs/sources.md"; failed=1
fi
if grep -rln "DEFAULTS\.md" scenarios docs sim python README.md > "$work/outside" 2>/dev/null; then
  echo "FAIL: these files cite a table of figures outside the project; cite docs/sources.md ids instead:"; cat "$work/outside"; failed=1
fi

[ "$failed" -eq 0 ] && echo "parameters doc: up to date, every parameter sourced, every source id listed"
exit "$failed"
