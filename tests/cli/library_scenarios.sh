#!/usr/bin/env bash
# Every library scenario runs to completion at a small population and writes its results file
# (in a sanitizer build: with no report, since any report aborts).
#   library_scenarios.sh GATESIM SOURCE_DIR WORK_DIR
set -u
gatesim=$1 source=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
failures=0 count=0
for file in "$source"/scenarios/*.yaml; do
  name=$(basename "$file" .yaml)
  [ "$name" = defaults ] && continue
  count=$((count + 1))
  if ! "$gatesim" run "$file" --set population.agents=2000 --set enterprises.agents=200 --threads 2 \
       -o "$work/$name.h5" > "$work/$name.log" 2>&1 || [ ! -s "$work/$name.h5" ]; then
    echo "FAIL $name:"; cat "$work/$name.log"; failures=$((failures + 1))
  fi
done
echo "$((count - failures)) of $count library scenarios ran"
[ "$count" -gt 0 ] && [ "$failures" -eq 0 ]
