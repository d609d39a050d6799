# What the MPI test scripts share (sourced): counting checks, exit codes, comparing study files.
# Needs $work; prints failures as they happen and the totals at the end (finish).
passed=0 failed=0
check() {  # check NAME COMMAND...: counts a pass when the command succeeds
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); else echo "FAIL: $name"; failed=$((failed + 1)); fi
}
exits() {  # exits CODE NAME COMMAND...: the command exits with CODE; its output in $work/{out,err}.txt
  local code=$1 name=$2; shift 2
  "$@" > "$work/out.txt" 2> "$work/err.txt"
  local rc=$?
  if [ "$rc" -eq "$code" ]; then passed=$((passed + 1)); else
    echo "FAIL: $name (exit $rc, expected $code): $(head -c 600 "$work/err.txt")"; failed=$((failed + 1)); fi
}
same() {  # same A B: every dataset and attribute outside /provenance is identical
  h5diff -q --exclude-path /provenance "$1" "$2"
}
attr() {  # attr FILE OBJECT NAME: prints an attribute
  /usr/bin/python3 -c "import h5py,sys; v=h5py.File(sys.argv[1])[sys.argv[2]].attrs[sys.argv[3]]; print(v.decode() if isinstance(v, bytes) else v)" "$@"
}
no_temporary_files() { test -z "$(ls "$work" | grep -e '\.tmp-' -e '\.runs-')"; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
