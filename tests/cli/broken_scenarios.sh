#!/usr/bin/env bash
# Every file in the broken corpus must fail validation and running with exit 2, name the file and
# the expected line, and create no results file. The first line of each file says what to expect:
#   # expect: LINE TEXT      (TEXT must appear in the message)
set -u
gatesim=$1 corpus=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 count=0 checks=0
for file in "$corpus"/*.yaml; do
  count=$((count + 1))
  read -r _ _ line text < <(head -n 1 "$file")
  for cmd in validate run; do
    checks=$((checks + 1))
    out="$work/out.h5"; rm -f "$out"  # a file left by an earlier failure must not fail the next
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

# Inputs that are not a corpus file: a directory, a chain of extends past the limit of 64.
expect_bad_input() {  # TEXT ARGS...: exit 2 and TEXT in the message
  local text=$1; shift
  checks=$((checks + 1))
  "$gatesim" "$@" > "$work/stdout" 2> "$work/stderr"
  local rc=$?
  if [ "$rc" -ne 2 ] || ! grep -qF -- "$text" "$work/stderr"; then
    echo "FAIL $*: exit $rc, expected 2 and '$text': $(cat "$work/stderr")"; failures=$((failures + 1))
  fi
}
expect_bad_input "is a directory, not a scenario file" validate "$corpus"
for i in $(seq 0 99); do echo "extends: chain$((i + 1)).yaml" > "$work/chain$i.yaml"; done
expect_bad_input "more than 64 files extend one another" validate "$work/chain0.yaml"

echo "$((checks - failures)) passed, $failures failed"
[ "$count" -gt 0 ] && [ "$failures" -eq 0 ]
