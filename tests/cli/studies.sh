#!/usr/bin/env bash
# End-to-end CLI checks of the multi-run commands: ensembles (determinism across threads, bands,
# uncertain fields), --stop-after/--resume equal to an uninterrupted run, Ctrl-C, compare, sweep,
# sensitivity, and exit codes for bad input. Faults (kill -9, a full disk, two writers) are in
# faults.sh.
set -u
gatesim=$1 root=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
scenario="$root/scenarios/global_shutdown.yaml"
study="$root/tests/scenarios/studies/uncertain.yaml"
small=(--set population.agents=2000 --set enterprises.agents=170 --set days=40)
py=/usr/bin/python3
passed=0 failed=0
check() {  # check NAME COMMAND...: counts a pass when the command succeeds
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); else echo "FAIL: $name"; failed=$((failed + 1)); fi
}
exits() {  # exits CODE NAME COMMAND...: the command exits with CODE
  local code=$1 name=$2; shift 2
  "$@" > "$work/out.txt" 2> "$work/err.txt"
  local rc=$?
  if [ "$rc" -eq "$code" ]; then passed=$((passed + 1)); else
    echo "FAIL: $name (exit $rc, expected $code): $(head -c 400 "$work/err.txt")"; failed=$((failed + 1)); fi
}
same() {  # same A B: every dataset outside /provenance is identical
  h5diff -q --exclude-path /provenance "$1" "$2"
}
attr() {  # attr FILE OBJECT NAME: prints an attribute
  $py -c "import h5py,sys; v=h5py.File(sys.argv[1])[sys.argv[2]].attrs[sys.argv[3]]; print(v.decode() if isinstance(v, bytes) else v)" "$@"
}

# Ensembles: bit-identical for 1 and 2 threads; bands, summaries and per-run scalars in the file.
exits 0 "ensemble, 1 thread" "$gatesim" run "$scenario" "${small[@]}" --replicates 6 --threads 1 -o "$work/e1.h5"
check "ensemble prints the median column" grep -q "median" "$work/out.txt"
check "ensemble keeps stderr quiet off a terminal" test ! -s "$work/err.txt"
exits 0 "ensemble, 2 threads" "$gatesim" run "$scenario" "${small[@]}" --replicates 6 --threads 2 -o "$work/e2.h5"
check "1 thread equals 2 threads" same "$work/e1.h5" "$work/e2.h5"
check "file type" test "$(attr "$work/e1.h5" / file_type)" = gatesim-ensemble
check "marked complete" test "$(attr "$work/e1.h5" / complete)" = 1
check "bands, summary, runs" $py - "$work/e1.h5" <<'EOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert f["bands/blocked"].shape == (5, 40), f["bands/blocked"].shape
assert list(f["bands/quantile"][:]) == [0.05, 0.25, 0.5, 0.75, 0.95]
runs = f["runs/summary/churn_at_horizon"][:]
assert runs.shape == (6,)
stats = dict(zip(f["axes/statistic"].asstr()[:], f["summary/churn_at_horizon"][:]))
assert np.isclose(stats["p50"], np.quantile(runs, 0.5)) and np.isclose(stats["mean"], runs.mean())
assert "runs/timeseries" not in f
EOF
check "no temporary files" test -z "$(ls "$work" | grep -e '\.tmp-' -e '\.runs-')"

# Uncertain fields: a nested design, sampled values recorded, show round-trips them.
exits 0 "uncertain ensemble" "$gatesim" run "$study" --replicates 8 --noise-replicates 2 --quantiles 0.1,0.5,0.9 -o "$work/u.h5"
check "uncertain ensemble reports draws" grep -q "4 parameter draws x 2 noise replicates" "$work/out.txt"
check "parameter share column" grep -q "parameter share" "$work/out.txt"
check "sampled parameters recorded" $py - "$work/u.h5" <<'EOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
p = f["runs/parameters"][:]
names = list(f["axes/parameter"].asstr()[:])
assert p.shape == (8, 2) and "segments.consumer.patience_days" in names, (p.shape, names)
assert np.all(p[0::2] == p[1::2]) and len(set(p[:, 0])) == 4   # one value per draw
v = dict(zip(f["axes/variance_component"].asstr()[:], f["variance/churn_at_horizon"][:]))
assert v["parameter_draws"] == 4 and abs(v["between_parameter_share"] + v["within_noise_share"] - 1) < 1e-9
assert list(f["bands/quantile"][:]) == [0.1, 0.5, 0.9]
EOF
"$gatesim" show "$study" > "$work/shown.yaml"
check "show prints distributions" grep -q "patience_days: {dist: lognormal, median: 7, sigma: 0.4}" "$work/shown.yaml"
check "show output validates" "$gatesim" validate "$work/shown.yaml"

# --stop-after keeps the finished runs in OUT.partial; --resume finishes exactly as an uninterrupted run.
exits 0 "stop after 3 runs" "$gatesim" run "$study" --replicates 8 --noise-replicates 2 --quantiles 0.1,0.5,0.9 --stop-after 3 -o "$work/r.h5"
check "stopped run says how to resume" grep -q -- "--resume" "$work/out.txt"
check "stopped run says where its runs are" grep -q -- "r.h5.partial" "$work/out.txt"
check "no file at the output path" test ! -e "$work/r.h5"
check "finished runs kept beside it" test -s "$work/r.h5.partial"
exits 2 "a fresh study does not discard them" "$gatesim" run "$study" --replicates 8 --noise-replicates 2 -o "$work/r.h5"
check "it says to resume" grep -q "holds 3 finished run(s) of an interrupted study" "$work/err.txt"
exits 0 "resume" "$gatesim" run "$study" --replicates 8 --noise-replicates 2 --quantiles 0.1,0.5,0.9 --threads 1 --resume -o "$work/r.h5"
check "resumed file is complete" test "$(attr "$work/r.h5" / complete)" = 1
check "resumed equals uninterrupted" same "$work/u.h5" "$work/r.h5"
check "the journal is gone" test ! -e "$work/r.h5.partial"
exits 2 "resume a complete file" "$gatesim" run "$study" --replicates 8 --noise-replicates 2 --resume -o "$work/r.h5"
exits 0 "stop again" "$gatesim" run "$study" --replicates 8 --noise-replicates 2 --stop-after 2 -o "$work/r2.h5"
exits 2 "resume with another plan" "$gatesim" run "$study" --replicates 10 --noise-replicates 2 --resume -o "$work/r2.h5"
check "another plan is named" grep -q "different plan" "$work/err.txt"
exits 2 "resume a missing file" "$gatesim" run "$study" --replicates 8 --resume -o "$work/absent.h5"

# Ctrl-C: exit 130, finished replicates kept beside the output (tests/cli/faults.sh resumes them).
big=(--set population.agents=20000 --set days=60 --replicates 400 --threads 2 -o "$work/int.h5")
"$gatesim" run "$scenario" "${big[@]}" > /dev/null 2>&1 &
pid=$!
sleep 2
kill -INT "$pid"
wait "$pid"
check "interrupt exits 130" test $? -eq 130
check "interrupt writes no file at the output path" test ! -e "$work/int.h5"
check "interrupted study kept some runs" test -s "$work/int.h5.partial"
check "interrupt leaves no temporary files" test -z "$(ls "$work" | grep -e '\.tmp-' -e '\.runs-' -e '\.lock')"

# Compare: common random numbers, paired deltas printed and stored.
exits 0 "compare" "$gatesim" compare "$scenario" "$root/scenarios/nationality_gate.yaml" "${small[@]}" --replicates 4 -o "$work/c.h5"
check "compare prints levels and paired deltas" grep -q "nationality_gate against global_shutdown" "$work/out.txt"
check "compare file" $py - "$work/c.h5" <<'EOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
a = f["scenarios/global_shutdown/runs/summary/churn_at_horizon"][:]
b = f["scenarios/nationality_gate/runs/summary/churn_at_horizon"][:]
assert np.array_equal(f["deltas/runs/churn_at_horizon"][0], b - a)
assert list(f["axes/compared"].asstr()[:]) == ["nationality_gate"]
EOF
exits 2 "compare needs two scenarios" "$gatesim" compare "$scenario" -o "$work/c1.h5"
exits 2 "compare needs an output" "$gatesim" compare "$scenario" "$scenario" --replicates 2

# Sweep and sensitivity from the sections of the study file.
exits 0 "sweep" "$gatesim" sweep "$study" -o "$work/s.h5"
check "sweep points table" $py -c "import h5py,sys; f=h5py.File(sys.argv[1]); assert f['points/values'].shape == (4, 2) and f['runs/summary/peak_blocked'].shape == (4, 2)" "$work/s.h5"
exits 0 "sweep with grid design from the CLI" "$gatesim" sweep "$study" --design grid --points 2 --replicates 1 -o "$work/g.h5"
check "grid has 2 x 2 points" $py -c "import h5py,sys; assert h5py.File(sys.argv[1])['points/values'].shape == (4, 2)" "$work/g.h5"
exits 2 "sweep without a section" "$gatesim" sweep "$scenario" -o "$work/x.h5"
exits 2 "broken sweep section" "$gatesim" sweep "$root/tests/scenarios/studies/broken_sweep.yaml" -o "$work/x.h5"
check "broken sweep section is located" grep -q "broken_sweep.yaml:4:" "$work/err.txt"
exits 0 "sensitivity (morris)" "$gatesim" sensitivity "$study" --bootstrap 50 -o "$work/m.h5"
check "ranked table" grep -q "mu\*" "$work/out.txt"
exits 0 "sensitivity (sobol)" "$gatesim" sensitivity "$study" --method sobol --samples 4 --outputs churn_at_horizon --bootstrap 50 -o "$work/so.h5"
check "sobol indices stored" $py -c "import h5py,sys; f=h5py.File(sys.argv[1]); assert f['sensitivity/churn_at_horizon'].shape == (2, 6)" "$work/so.h5"
exits 2 "unknown output" "$gatesim" sensitivity "$study" --outputs churn_at_horizn -o "$work/x.h5"
exits 2 "parameter without a range" "$gatesim" sensitivity "$study" --parameters models.a_legacy.price --outputs churn_at_horizon -o "$work/x.h5"
check "no file for failed studies" test ! -e "$work/x.h5"

# Bad options.
exits 2 "ensemble needs an output" "$gatesim" run "$scenario" --replicates 3
exits 2 "ensemble options need --replicates" "$gatesim" run "$scenario" "${small[@]}" --resume -o "$work/x.h5"
exits 2 "bad quantiles" "$gatesim" run "$scenario" "${small[@]}" --replicates 3 --quantiles 0.9,0.1 -o "$work/x.h5"
exits 2 "replicates not a multiple of noise replicates" "$gatesim" run "$study" --replicates 5 --noise-replicates 2 -o "$work/x.h5"
exits 2 "unknown design" "$gatesim" sweep "$study" --design random -o "$work/x.h5"
check "no temporary files at the end" test -z "$(ls "$work" | grep -e '\.tmp-' -e '\.runs-')"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
