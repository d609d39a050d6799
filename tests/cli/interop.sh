#!/usr/bin/env bash
# The CLI for people and other programs: every subcommand's help has an example and readable
# limits, an unknown command gets a did-you-mean (exit 2), run and compare print JSON with
# --format json (compare: each scenario's level next to the paired delta), export writes CSV,
# JSON and Excel through the Python package, and schema prints a JSON Schema.
set -u
gatesim=$1 root=$2 work=$3 with_python=${4:-ON}  # OFF: a build without the Python package
rm -rf "$work" && mkdir -p "$work"
cd "$root" || exit 1
small=(--set population.agents=1500 --set days=40 --set start_date=2026-06-15 --threads 2)
py=/usr/bin/python3
passed=0 failed=0
check() {  # check NAME COMMAND...: counts a pass when the command succeeds
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); else echo "FAIL: $name"; failed=$((failed + 1)); fi
}

for cmd in run validate show compare sweep sensitivity export report calibrate schema; do
  "$gatesim" "$cmd" --help > "$work/help.txt" 2>&1
  check "$cmd --help exits 0" test $? -eq 0
  check "$cmd --help has an example" grep -q "^Examples:" "$work/help.txt"
  check "$cmd --help shows no raw limits" test "$(grep -c '1099511627776\|1073741824\|1048576' "$work/help.txt")" -eq 0
done
"$gatesim" run --help | grep -q -- "--replicates UINT:1 to 100,000"
check "limits read as words" test $? -eq 0

"$gatesim" runn scenarios/baseline.yaml > /dev/null 2> "$work/err.txt"
check "an unknown command exits 2" test $? -eq 2
check "an unknown command gets a did-you-mean" grep -q "unknown command 'runn' (did you mean 'run'?)" "$work/err.txt"
check "and the list of commands" grep -q "the commands are run, validate" "$work/err.txt"

"$gatesim" run scenarios/global_shutdown.yaml "${small[@]}" --format json -o "$work/run.h5" > "$work/run.json"
check "run --format json exits 0" test $? -eq 0
check "run --format json is JSON with every scalar" $py -c "
import json, h5py
d = json.load(open('$work/run.json'))
f = h5py.File('$work/run.h5')
assert d['scenario'] == 'global_shutdown' and d['start_date'] == '2026-06-15' and d['output'].endswith('run.h5')
assert {s['name'] for s in d['scalars']} == set(f['summary'])
peak = next(s for s in d['scalars'] if s['name'] == 'peak_blocked')
assert peak['value'] == f['summary/peak_blocked'][()] and peak['unit'] == 'users'
"

"$gatesim" compare scenarios/baseline.yaml scenarios/global_shutdown.yaml "${small[@]}" --replicates 3 \
  --bootstrap 50 -o "$work/cmp.h5" > "$work/cmp.txt"
check "compare exits 0" test $? -eq 0
check "compare prints both levels next to the delta" grep -q "baseline  global_shutdown      delta" "$work/cmp.txt"
"$gatesim" compare scenarios/baseline.yaml scenarios/global_shutdown.yaml "${small[@]}" --replicates 3 \
  --bootstrap 50 -o "$work/cmp2.h5" --format json > "$work/cmp.json"
check "compare --format json has levels and deltas equal to the file's" $py -c "
import json, h5py
d = json.load(open('$work/cmp.json'))
f = h5py.File('$work/cmp2.h5')
assert d['scenarios'] == ['baseline', 'global_shutdown'] and d['pairs'] == 3
labels = list(f['axes/delta_statistic'].asstr()[:])
delta = next(x for x in d['deltas']['global_shutdown'] if x['name'] == 'peak_blocked')
assert delta['mean'] == f['deltas/peak_blocked'][0][labels.index('mean')]
level = next(x for x in d['levels']['global_shutdown'] if x['name'] == 'peak_blocked')
stats = list(f['scenarios/global_shutdown/axes/statistic'].asstr()[:])
assert level['quantiles']['p50'] == f['scenarios/global_shutdown/summary/peak_blocked'][stats.index('p50')]
"

# export runs the Python package, which sanitizer builds do not build.
if [ "$with_python" = ON ]; then
"$gatesim" export "$work/cmp.h5" --format csv > "$work/export.txt"
check "export csv exits 0" test $? -eq 0
check "export csv writes the tables beside the file" test -s "$work/cmp.csv" -a -s "$work/cmp-deltas.csv"
check "the csv has units and dates" $py -c "
import csv
rows = csv.DictReader(open('$work/cmp.csv'))
row = next(rows)
assert {'scenario', 'metric', 'unit', 'day', 'date', 'quantile', 'value'} <= set(row) and row['date'] == '2026-06-15'
"
"$gatesim" export "$work/cmp.h5" -o "$work/cmp.xlsx" > /dev/null
check "export xlsx (from the suffix) exits 0" test $? -eq 0
check "the workbook has units and coordinates" $py -c "
import openpyxl
book = openpyxl.load_workbook('$work/cmp.xlsx', read_only=True)
rows = list(book['users_by_model'].iter_rows(values_only=True))
assert rows[0][0] == 'users_by_model (users)'
assert any(len(r) > 1 and r[1] == 'scenario' for r in rows[:6]) and any(len(r) > 1 and r[1] == 'model' for r in rows[:6])
"
"$gatesim" export "$work/run.h5" --format json -o "$work/run-export.json" > /dev/null
check "export json exits 0" $py -c "import json; d = json.load(open('$work/run-export.json')); assert 'series' in d['tables']"
"$gatesim" export "$work/absent.h5" --format csv > /dev/null 2> "$work/err.txt"
check "export of a missing file exits 2" test $? -eq 2
check "and says why" grep -q "no such file" "$work/err.txt"
PATH=/nonexistent "$gatesim" export "$work/run.h5" --format csv -o "$work/x.csv" > /dev/null 2>&1
check "Debian's python3 is found without PATH" test -s "$work/x.csv"
GATESIM_PYTHON=/no/such/python "$gatesim" export "$work/run.h5" --format csv -o "$work/y.csv" > /dev/null 2> "$work/err.txt"
check "a missing chosen python exits 2" test $? -eq 2
check "and says what export needs" grep -q "export needs a Python 3 with the gatesim package, numpy and pandas" "$work/err.txt"
check "and what it tried" grep -q "/no/such/python: not found" "$work/err.txt"
else
  echo "SKIP: export (this build has no Python package)"
fi

"$gatesim" schema > "$work/schema.json"
check "schema exits 0 and is JSON" $py -c "import json; s = json.load(open('$work/schema.json')); assert s['title'] == 'gatesim scenario'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
