"""Golden regression of the scenario library: summary scalars of small, seeded runs.

    /usr/bin/python3 tests/golden/golden.py check  build/bin/gatesim   # what ctest runs
    /usr/bin/python3 tests/golden/golden.py update build/bin/gatesim   # after a deliberate change

A change to the goldens is a reviewed act: commit the updated files with a message that says
which model change moved which numbers, and why.
"""
import math
import pathlib
import subprocess
import sys
import tempfile

import h5py

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCENARIOS = ["baseline", "order", "global_shutdown", "nationality_gate", "geo_fence", "phased_reopening",
             "vetted_partners", "industry_wide", "prerelease_review", "capability_leak",
             "warning_then_block", "crisis_no_block", "fence_lifted", "long_fence_lifted", "gate_leakage"]
# Small enough for the test suite, large enough that every mechanism is exercised.
SETTINGS = ["population.agents=4000", "enterprises.agents=300", "seed=424242"]
# Same binary, same inputs: results are bit-identical; the tolerance only absorbs a different libm.
RELATIVE_TOLERANCE = 1e-9


def summary(gatesim, name, workdir):
    out = pathlib.Path(workdir) / f"{name}.h5"
    command = [gatesim, "run", str(ROOT / "scenarios" / f"{name}.yaml"), "--threads", "2", "-o", str(out)]
    for setting in SETTINGS:
        command += ["--set", setting]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    with h5py.File(out, "r") as f:
        return {key: float(f["summary"][key][()]) for key in f["summary"]}


def same(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("check", "update"):
        print(__doc__)
        return 2
    mode, gatesim = sys.argv[1], sys.argv[2]
    failed = set()
    with tempfile.TemporaryDirectory() as workdir:
        for name in SCENARIOS:
            values = summary(gatesim, name, workdir)
            path = HERE / f"{name}.tsv"
            if mode == "update":
                path.write_text("".join(f"{k}\t{v!r}\n" for k, v in sorted(values.items())))
                continue
            if not path.exists():
                print(f"FAIL {name}: no golden file {path}")
                failed.add(name)
                continue
            expected = {k: float(v) for k, v in (line.split("\t") for line in path.read_text().splitlines())}
            for key in sorted(set(expected) | set(values)):
                if key not in values or key not in expected or not same(values[key], expected[key]):
                    print(f"FAIL {name}.{key}: expected {expected.get(key)}, got {values.get(key)}")
                    failed.add(name)
    if mode == "update":
        print(f"updated {len(SCENARIOS)} golden files in {HERE}")
        return 0
    print(f"{len(SCENARIOS) - len(failed)} passed, {len(failed)} failed")
    if failed:
        print("If the change is deliberate: /usr/bin/python3 tests/golden/golden.py update build/bin/gatesim")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
