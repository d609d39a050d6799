"""Two-sample check of the scenario library: same distributions of the summary scalars from two builds.

    /usr/bin/python3 tests/golden/two_sample.py BEFORE_GATESIM AFTER_GATESIM
    /usr/bin/python3 tests/golden/two_sample.py BEFORE AFTER --replicates 30 --scenarios baseline,order
    /usr/bin/python3 tests/golden/two_sample.py BEFORE AFTER --alpha 0.01 --markdown report.md

For a change that restructures the random draws: single runs differ, so golden.py cannot tell a
correct change from a wrong one, but the distribution of every summary scalar must not move.
Each build runs an ensemble of every scenario with the settings of golden.py (without its seed),
the two with different seeds so that the samples are independent. Per scalar, NaN ("not
reached") is left out and counted; NaN counts that differ are tested with Fisher's exact test;
the values with the two-sample Kolmogorov-Smirnov and Mann-Whitney U tests (two-sided). Each
kind of test is corrected with Holm-Bonferroni over all scenarios and scalars.

Exit status: 0 if no test is rejected after Holm, 1 otherwise, 2 on bad arguments.
"""
import argparse
import math
import pathlib
import subprocess
import sys
import tempfile
import time
import warnings

import h5py
import numpy as np
from scipy import stats

from golden import ROOT, SCENARIOS, SETTINGS

# Different seeds: the same seed would pair the two ensembles through common random numbers. Each
# scenario adds its index in SCENARIOS, so that one scenario's draws do not repeat in the next.
SEEDS = {"before": 1001, "after": 2002}
RAW_LEVEL = 0.01
KINDS = {"ks": "KS", "mw": "MW", "nan": "NaN share"}
# Tied (discrete) scalars defeat the exact KS distribution; scipy falls back to the asymptotic one.
warnings.filterwarnings("ignore", message="ks_2samp: Exact calculation unsuccessful")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", help="gatesim binary of the reference build")
    parser.add_argument("after", help="gatesim binary of the changed build")
    parser.add_argument("--replicates", type=int, default=200, help="runs per scenario and build (default 200)")
    parser.add_argument("--threads", type=int, default=2, help="worker threads of each run (default 2)")
    parser.add_argument("--scenarios", help="comma-separated subset of the library (default: all)")
    parser.add_argument("--alpha", type=float, default=0.01, help="family-wise level of Holm (default 0.01)")
    parser.add_argument("--markdown", type=pathlib.Path, help="also write the report to this file")
    args = parser.parse_args()
    if args.replicates < 2:
        parser.error("--replicates must be at least 2")
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    if not 0 < args.alpha < 1:
        parser.error("--alpha must lie strictly between 0 and 1")
    args.scenarios = args.scenarios.split(",") if args.scenarios else list(SCENARIOS)
    unknown = [name for name in args.scenarios if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)} (known: {', '.join(SCENARIOS)})")
    return args


def ensemble(gatesim, name, seed, replicates, threads, out):
    """Every replicate's summary scalars of one scenario, in the engine's order."""
    command = [gatesim, "run", str(ROOT / "scenarios" / f"{name}.yaml"), "--replicates", str(replicates),
               "--threads", str(threads), "-o", str(out), "--seed", str(seed)]
    for setting in SETTINGS:
        if not setting.startswith("seed="):
            command += ["--set", setting]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    with h5py.File(out, "r") as f:
        group = f["runs/summary"]
        return {key: group[key][()] for key in group if not h5py.h5ds.is_scale(group[key].id)}


def compare(before, after):
    """Counts, means and p-values of one scalar; a p-value is absent when its test does not apply."""
    a, b = before[~np.isnan(before)], after[~np.isnan(after)]
    row = {"nan": (before.size - a.size, after.size - b.size),
           "mean": (a.mean() if a.size else math.nan, b.mean() if b.size else math.nan), "p": {}}
    if row["nan"][0] != row["nan"][1]:
        table = [[a.size, row["nan"][0]], [b.size, row["nan"][1]]]
        row["p"]["nan"] = stats.fisher_exact(table)[1]
    if not a.size and not b.size:
        row["status"] = "never reached"
    elif not a.size or not b.size:
        row["status"] = "reached on one side only"
    elif a.min() == a.max() == b.min() == b.max():
        row["status"] = "identical constant"
    else:
        row["status"] = "tested"
        ks = stats.ks_2samp(a, b)
        row["ks"] = ks.statistic
        row["p"]["ks"] = ks.pvalue
        row["p"]["mw"] = stats.mannwhitneyu(a, b, alternative="two-sided").pvalue
    return row


def holm(pvalues, alpha):
    """Which of the p-values Holm-Bonferroni rejects at family-wise level alpha."""
    order = sorted(range(len(pvalues)), key=pvalues.__getitem__)
    rejected = [False] * len(pvalues)
    for rank, index in enumerate(order):
        if pvalues[index] > alpha / (len(pvalues) - rank):
            break
        rejected[index] = True
    return rejected


def apply_holm(results, alpha):
    """Mark each row with the kinds of test Holm rejects; return the p-values of each kind."""
    family = {}
    for kind in KINDS:
        tests = [(row, row["p"][kind]) for rows in results.values() for row in rows.values() if kind in row["p"]]
        for (row, _), rejected in zip(tests, holm([p for _, p in tests], alpha)):
            if rejected:
                row.setdefault("rejected", []).append(kind)
        family[kind] = [p for _, p in tests]
    return family


def number(x):
    return "" if x is None or math.isnan(x) else f"{x:.4g}"


def relative_difference(before, after):
    if before == after:
        return "0"
    if math.isnan(before) or math.isnan(after) or before == 0:
        return ""
    return f"{(after - before) / abs(before):+.2%}"


def scenario_table(name, rows):
    lines = [f"## {name}", "",
             "| scalar | NaN before/after | mean before | mean after | rel. diff | KS D | KS p | MW p | NaN Fisher p | Holm |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    untested = {}
    for key, row in rows.items():
        if not row["p"]:
            untested.setdefault(row["status"], []).append(key)
    for key, row in rows.items():
        if not row["p"]:
            continue
        scalar = key if row["status"] == "tested" else f"{key} ({row['status']})"
        holm_mark = ", ".join(KINDS[kind] for kind in row.get("rejected", [])) or "-"
        lines.append(f"| {scalar} | {row['nan'][0]}/{row['nan'][1]} | {number(row['mean'][0])} | "
                     f"{number(row['mean'][1])} | {relative_difference(*row['mean'])} | {number(row.get('ks'))} | "
                     f"{number(row['p'].get('ks'))} | {number(row['p'].get('mw'))} | {number(row['p'].get('nan'))} | "
                     f"{holm_mark} |")
    lines.append("")
    for status, keys in untested.items():
        lines.append(f"- {status.capitalize()} on both sides, not tested ({len(keys)}): {', '.join(keys)}")
    return lines + [""]


def verdict(name, rows, alpha):
    differing = [f"{key} ({', '.join(KINDS[kind] for kind in row['rejected'])})"
                 for key, row in rows.items() if row.get("rejected")]
    if not differing:
        return f"- {name}: no scalar differs after Holm at alpha {alpha}"
    return f"- {name}: differs after Holm at alpha {alpha}: {', '.join(differing)}"


def report(results, family, args):
    lines = [f"# Two-sample check: {args.before} (seeds {SEEDS['before']} + i) vs {args.after} (seeds {SEEDS['after']} + i), "
             "i the scenario's index",
             "", f"{args.replicates} replicates per scenario and build; Holm-Bonferroni per kind of test at "
             f"alpha {args.alpha}.", ""]
    for name, rows in results.items():
        lines += scenario_table(name, rows)
    lines += ["## Verdicts", ""] + [verdict(name, rows, args.alpha) for name, rows in results.items()] + [""]
    counts = []
    for kind, pvalues in family.items():
        raw = sum(p < RAW_LEVEL for p in pvalues)
        counts.append(f"{KINDS[kind]} {len(pvalues)} tests, {raw} with raw p < {RAW_LEVEL} "
                      f"(expected {RAW_LEVEL * len(pvalues):.2f})")
    lines.append("Tests: " + "; ".join(counts) + ".")
    rejected = sum(bool(row.get("rejected")) for rows in results.values() for row in rows.values())
    tests = sum(len(pvalues) for pvalues in family.values())
    if rejected:
        lines.append(f"Overall: FAIL, {rejected} scalars differ after Holm at alpha {args.alpha} "
                     f"({tests} tests over {len(results)} scenarios).")
    else:
        lines.append(f"Overall: PASS, no scalar differs after Holm at alpha {args.alpha} "
                     f"({tests} tests over {len(results)} scenarios).")
    lines += ["", "Scalars within a scenario are correlated (many derive from the same runs), so the tests are not "
              f"independent: Holm holds under any dependence, but raw p < {RAW_LEVEL} may cluster within a scenario."]
    return "\n".join(lines) + "\n", rejected


def main():
    args = parse_arguments()
    results = {}
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as workdir:
        for index, name in enumerate(args.scenarios, 1):
            print(f"[{index}/{len(args.scenarios)}] {name}", file=sys.stderr, flush=True)
            samples = {side: ensemble(getattr(args, side), name, seed + SCENARIOS.index(name), args.replicates, args.threads,
                                      pathlib.Path(workdir) / f"{name}-{side}.h5")
                       for side, seed in SEEDS.items()}
            missing = set(samples["before"]) ^ set(samples["after"])
            if missing:
                sys.exit(f"{name}: scalars present in one build only: {', '.join(sorted(missing))}")
            results[name] = {key: compare(values, samples["after"][key]) for key, values in samples["before"].items()}
    print(f"ran {2 * len(args.scenarios)} ensembles in {time.monotonic() - start:.0f} s", file=sys.stderr)
    family = apply_holm(results, args.alpha)
    text, rejected = report(results, family, args)
    print(text, end="")
    if args.markdown:
        args.markdown.write_text(text)
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
