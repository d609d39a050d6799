#!/usr/bin/env bash
# Every file in the broken corpus must fail validation and running with exit 2, name the file and
# the expected line, and create no results file. The first line of each file says what to expect:
#   # expect: LINE TEXT      (TEXT must appear in the message)
set -u
gatesim=$1 corpus=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 count=0
for file in "$corpus"/*.yaml; do
  count=$((count + 1))
  read -r _ _ line text < <(head -n 1 "$file")
  for cmd in validate run; do
    out="$work/out.h5"
    args=("$cmd" "$file")
    [ "$cmd" = run ] && args+=(-o "$out")
    "$gatesim" "${args[@]}" > "$work/stdout" 2> "$work/stderr"
    rc=$?
    msg=$(cat "$work/stderr")
    if [ "$rc" -ne 2 ]; then
      echo "FAIL $file ($cmd): exit $rc, expected 2"; failures=$((failures + 1))
    elif ! grep -qF "$file:$line:" "$work/stderr"; then
      echo "FAIL $file ($cmd): message does not point at line $line: $msg"; failures=$((failures + 1))
    elif ! grep -qF -- "$text" "$work/stderr"; then
      echo "FAIL $file ($cmd): message lacks '$text': $msg"; failures=$((failures + 1))
    elif [ -e "$out" ]; then
      echo "FAIL $file ($cmd): created $out"; failures=$((failures + 1))
    fi
  done
done
echo "$((count * 2 - failures)) passed, $failures failed"
[ "$count" -gt 0 ] && [ "$failures" -eq 0 ]
