#!/usr/bin/env bash
# Every kind of unwritable output path is bad input (exit 2, the reason on stderr) for every
# command that writes a file, and is found before any simulation work: each command is given
# work that would take minutes, yet must return at once (a time limit), print nothing on stdout
# and leave what is at the path alone. The kinds: a directory, a missing folder, a file as a
# folder, a read-only folder, a name too long, a device, a FIFO, a link to a device, a socket, a
# path whose lock file (PATH.lock) or, for studies, run journal (PATH.partial) cannot be made.
set -u
gatesim=$1 root=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
scenario="$root/scenarios/global_shutdown.yaml"
study="$root/tests/scenarios/studies/uncertain.yaml"
big=(--set population.agents=3000000 --set days=3000)
passed=0 failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

mkdir "$work/dir"
mkfifo "$work/fifo"
echo "a file" > "$work/plain.txt"
ln -s /dev/null "$work/null-link"
/usr/bin/python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$work/socket"
mkdir "$work/locked.h5.lock" "$work/journal.h5.partial"
long="$work/$(printf 'n%.0s' $(seq 250)).h5"
if [ "$(id -u)" -eq 0 ]; then
  read_only=/sys  # root may write anywhere permissions allow; a pseudo file system refuses even root
else
  read_only="$work/read-only" && mkdir "$read_only" && chmod 555 "$read_only"
fi
# kind|path|reason
cases=(
  "a directory|$work/dir|it is a directory"
  "a missing directory|$work/none/out.h5|directory $work/none does not exist"
  "a file as directory|$work/plain.txt/out.h5|$work/plain.txt is not a directory"
  "a read-only folder|$read_only/gatesim-out.h5|cannot create a file in directory $read_only"
  "a name too long|$long|too long"
  "a character device|/dev/null|it is a character device"
  "a FIFO|$work/fifo|it is a FIFO"
  "a link to a device|$work/null-link|it is a character device"
  "a socket|$work/socket|it is a socket"
  "a path whose lock file cannot be made|$work/locked.h5|cannot create the lock file $work/locked.h5.lock"
)
commands=(
  "run|run $scenario ${big[*]}"
  "ensemble|run $scenario ${big[*]} --replicates 1000"
  "compare|compare $scenario $scenario ${big[*]} --replicates 1000"
  "sweep|sweep $study ${big[*]} --replicates 100"
  "sensitivity|sensitivity $study ${big[*]} --samples 100"
)
for c in "${cases[@]}"; do
  IFS='|' read -r kind path reason <<< "$c"
  for cmd in "${commands[@]}"; do
    IFS='|' read -r name args <<< "$cmd"
    # shellcheck disable=SC2086  # args is a word list without spaces inside words
    timeout 30 "$gatesim" $args -o "$path" > "$work/out.txt" 2> "$work/err.txt"
    rc=$?
    if [ "$rc" -ne 2 ]; then fail "$name to $kind: exit $rc, expected 2 ($(head -c 300 "$work/err.txt"))"; continue; fi
    if ! grep -qF -- "$reason" "$work/err.txt"; then fail "$name to $kind: no '$reason' in: $(cat "$work/err.txt")"; continue; fi
    if [ -s "$work/out.txt" ] || [ "$(wc -l < "$work/err.txt")" -ne 1 ]; then fail "$name to $kind: output beyond the error"; continue; fi
    passed=$((passed + 1))
  done
done
# A study whose run journal cannot be made beside the path (a single run keeps no journal):
# found when the study opens its file, after its plan is made and before any run.
journal_commands=(
  "ensemble|run $scenario ${big[*]} --replicates 1000"
  "compare|compare $scenario $root/scenarios/nationality_gate.yaml ${big[*]} --replicates 1000"
  "sweep|sweep $study ${big[*]} --replicates 100"
  "sensitivity|sensitivity $study ${big[*]} --samples 100"
)
for cmd in "${journal_commands[@]}"; do
  IFS='|' read -r name args <<< "$cmd"
  # shellcheck disable=SC2086
  timeout 30 "$gatesim" $args -o "$work/journal.h5" > "$work/out.txt" 2> "$work/err.txt"
  rc=$?
  reason="$work/journal.h5.partial is a directory, not a run journal gatesim could replace"
  if [ "$rc" -ne 2 ]; then fail "$name with a directory as its journal: exit $rc, expected 2 ($(head -c 300 "$work/err.txt"))"
  elif ! grep -qF -- "$reason" "$work/err.txt"; then fail "$name with a directory as its journal: $(cat "$work/err.txt")"
  else passed=$((passed + 1)); fi
done
[ -c /dev/null ] && passed=$((passed + 1)) || fail "/dev/null is no longer a character device"
[ -L "$work/null-link" ] && [ -S "$work/socket" ] && passed=$((passed + 1)) || fail "the link or the socket was replaced"
[ -d "$work/locked.h5.lock" ] && [ -d "$work/journal.h5.partial" ] && passed=$((passed + 1)) || fail "a lock or journal directory was touched"
[ ! -e "$work/locked.h5" ] && [ ! -e "$work/journal.h5" ] && passed=$((passed + 1)) || fail "a refused study wrote its file"
[ -p "$work/fifo" ] && passed=$((passed + 1)) || fail "the FIFO was replaced"
[ -d "$work/dir" ] && [ -z "$(ls "$work/dir")" ] && passed=$((passed + 1)) || fail "the directory was touched"
[ -z "$(ls "$work" | grep -e '\.tmp-' -e '\.runs-' -e '\.lock$' | grep -v '^locked\.h5\.lock$')" ] && passed=$((passed + 1)) || fail "temporary files left"
[ "$(id -u)" -eq 0 ] || chmod 755 "$read_only"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
