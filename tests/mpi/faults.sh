#!/usr/bin/env bash
# Faults in an MPI job (mpirun --oversubscribe, 3 ranks on a 2-core machine): a bad scenario
# exits 2 with one message; a bad input found during the study too; SIGTERM to every rank (a
# wall-time limit) exits 130 keeping the finished runs in the run journal (OUT.partial) and leaving
# the output path alone; a rank killed mid-job (node loss) keeps them as well; --resume on
# another rank count then equals an uninterrupted run.
set -u
mpirun=$1 gatesim=$2 root=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
study="$root/tests/scenarios/studies/uncertain.yaml"
scenario="$root/scenarios/global_shutdown.yaml"
source "$(dirname "$0")/checks.sh"
launch() { "$mpirun" -q --oversubscribe -n "$@"; }
kept_runs() {  # kept_runs STDOUT: how many finished runs an interrupted study says it kept
  local n
  n=$(sed -n 's/^stopped *after \([0-9]*\) of .*/\1/p' "$1")
  echo "${n:-0}"
}

# Bad input: exit 2 and exactly one message, from rank 0, whether found before or during the study.
exits 2 "bad scenario on 3 ranks" launch 3 "$gatesim" run "$root/tests/scenarios/broken/bad_enum.yaml" --replicates 4 -o "$work/x.h5"
check "one message for a bad scenario" test "$(wc -l < "$work/err.txt")" -eq 1
check "the message locates the problem" grep -q "bad_enum.yaml:5:22: directive.stages.shutdown.rule" "$work/err.txt"
exits 2 "unknown output on 3 ranks" launch 3 "$gatesim" sensitivity "$study" --outputs churn_at_horizn -o "$work/x.h5"
check "one message for an unknown output" test "$(wc -l < "$work/err.txt")" -eq 1
check "no file for failed studies" test ! -e "$work/x.h5"

# The reference: the interrupted jobs below, uninterrupted, in one process; and what one run
# costs in processor ticks, to tell when the jobs below have finished some runs.
job=("$scenario" --set population.agents=100000 --set days=100 --replicates 24)
TIMEFORMAT=%3U
cpu=$( { time "$gatesim" run "${job[@]}" --threads 1 -o "$work/reference.h5" > /dev/null; } 2>&1 )
run_ticks=$(awk -v cpu="$cpu" -v tck="$(getconf CLK_TCK)" 'BEGIN { t = int(cpu * tck / 24); print (t > 5 ? t : 5) }')

rank_pid() {  # rank_pid OUTPUT RANK: the pid of that rank of the job writing OUTPUT
  local p
  for p in $(pgrep -f -- "-o $1"); do
    grep -qz "^OMPI_COMM_WORLD_RANK=$2\$" "/proc/$p/environ" 2> /dev/null && echo "$p"
  done
}
ticks_of() {  # processor ticks a process has used (user + system)
  local stat
  stat=$(cat "/proc/$1/stat" 2> /dev/null) || { echo 0; return; }
  set -- ${stat##*) }
  echo $(( ${12} + ${13} ))
}
# Waits until every rank of the job has used `runs` runs' worth of processor time (so each has
# finished some, whatever the machine's load), at most a minute. The ranks are found once, so
# that each poll is cheap and the job does not run far past the mark.
wait_for_runs() {  # wait_for_runs OUTPUT RUNS
  local deadline=$((SECONDS + 60)) p ready
  local -a pids=()
  while [ ${#pids[@]} -lt 3 ] && [ $SECONDS -lt $deadline ]; do
    pids=($(rank_pid "$1" 0) $(rank_pid "$1" 1) $(rank_pid "$1" 2))
    sleep 0.05
  done
  while [ $SECONDS -lt $deadline ]; do
    ready=1
    for p in "${pids[@]}"; do
      [ "$(ticks_of "$p")" -ge $(( $2 * run_ticks )) ] || ready=0
    done
    [ $ready -eq 1 ] && return 0
    sleep 0.02
  done
  return 1
}

# A wall-time limit: SIGTERM to every rank at once (what Slurm does), exit 130, runs kept.
launch 3 "$gatesim" run "${job[@]}" --threads 1 -o "$work/limit.h5" > "$work/out.txt" 2> "$work/err.txt" &
launcher=$!
check "the time-limited job gets going" wait_for_runs "$work/limit.h5" 2
kill -TERM $(rank_pid "$work/limit.h5" 0) $(rank_pid "$work/limit.h5" 1) $(rank_pid "$work/limit.h5" 2) 2> /dev/null
wait $launcher
check "a time limit exits 130" test $? -eq 130
check "rank 0 says once that runs were kept" test "$(grep -c "finished runs are kept in $work/limit.h5.partial" "$work/err.txt")" -eq 1
check "a time limit leaves the output path alone" test ! -e "$work/limit.h5"
kept=$(kept_runs "$work/out.txt")
echo "a time limit kept $kept of 24 runs"
check "the time-limited job kept finished runs ($kept of 24)" test -s "$work/limit.h5.partial" -a "$kept" -gt 0 -a "$kept" -lt 24
exits 0 "resume the time-limited job in one process" "$gatesim" run "${job[@]}" --threads 2 --resume -o "$work/limit.h5"
check "resumed after a time limit equals uninterrupted" same "$work/reference.h5" "$work/limit.h5"

# Node loss: rank 1 killed outright; mpirun then stops the other ranks with SIGTERM, and rank 0
# keeps the runs. mpirun sends SIGKILL one second after SIGTERM by default, too little for rank 0
# to write the file on a loaded machine: 5 s, as docs/cluster.md advises (there: 30 s).
launch 3 --mca odls_base_sigkill_timeout 5 "$gatesim" run "${job[@]}" --threads 1 -o "$work/lost.h5" > "$work/lost.out" 2> "$work/lost.err" &
launcher=$!
check "the job to lose a rank gets going" wait_for_runs "$work/lost.h5" 2
kill -KILL $(rank_pid "$work/lost.h5" 1)
wait $launcher
check "losing a rank fails the launch" test $? -ne 0
check "losing a rank leaves the output path alone" test ! -e "$work/lost.h5"
kept=$(kept_runs "$work/lost.out")
echo "losing a rank kept $kept of 24 runs"
check "a lost rank's job kept finished runs ($kept of 24)" test -s "$work/lost.h5.partial" -a "$kept" -gt 0 -a "$kept" -lt 24
exits 0 "resume the lost rank's job on 2 ranks" launch 2 "$gatesim" run "${job[@]}" --threads 1 --resume -o "$work/lost.h5"
check "resumed after losing a rank equals uninterrupted" same "$work/reference.h5" "$work/lost.h5"
check "no journal after the resumes" test ! -e "$work/limit.h5.partial" -a ! -e "$work/lost.h5.partial"
check "no temporary files" no_temporary_files
finish
