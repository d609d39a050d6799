#!/usr/bin/python3
"""Peer benchmark: gatesim against a vectorised numpy peer and a per-agent Python object loop,
all three on the simplified workload of sim/bench/peer_workload.yaml, in one run.

    /usr/bin/python3 sim/bench/peer_bench.py [--bench build/bin/gatesim_bench]
        [--agents 1000000] [--python-agents 20000] [--days 180]

Prints, for each implementation, CPU and wall ns per user-day and the ratio to gatesim, and the
churn share each finds, with a test that they agree within sampling error (exit 1 if not).

The workload: one region, consumers only. A user's preferred model is drawn by the consumer
shares; lab_a's two frontier models are shut off for everyone on SHUT_DAY and reopen on
REOPEN_DAY. A blocked user waits, and each day switches with the hazard
1 - exp(-dependency * (1 + growth * days_blocked) / patience), dependency = clamp(tasks / median,
0.1, 10), to an open model picked by multinomial logit on capability, price and provider
loyalty. On reopening a switched user returns with probability odds / (1 - p0 + odds),
p0 = return_probability * 2^(-days_away / half_life), odds = p0 * exp(quality_gap_weight * gap),
or stays on the alternative for good (churned). The parameters below are those the workload
file sets or inherits from scenarios/defaults.yaml.
"""
import argparse
import math
import os
import re
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOAD = os.path.join(HERE, "peer_workload.yaml")

SHUT_DAY, REOPEN_DAY = 14, 59  # directive.day + regulator.decision_after_days
# The consumer segment of scenarios/defaults.yaml.
TASKS_MEDIAN, TASKS_SIGMA = 3.0, 0.8
PATIENCE, GROWTH = 7.0, 0.05
CAPABILITY_WEIGHT, PRICE_WEIGHT, LOYALTY, SWITCHING_COST = 4.0, 0.3, 1.0, 0.5
RETURN_PROBABILITY, HALF_LIFE, QUALITY_GAP_WEIGHT = 0.7, 30.0, 3.0
# Models offered to consumers: (id, provider, capability, price per Mtok, consumer share, shut).
MODELS = [
    ("a_frontier_max", "lab_a", 1.00, 6.1, 0.10, True),
    ("a_frontier", "lab_a", 0.95, 3.7, 0.20, True),
    ("a_legacy", "lab_a", 0.80, 1.2, 0.10, False),
    ("b_flagship", "lab_b", 0.95, 3.4, 0.35, False),
    ("c_flagship", "lab_c", 0.92, 2.7, 0.20, False),
    ("f_flagship", "lab_f", 0.85, 0.2, 0.05, False),
]
CAPABILITY = np.array([m[2] for m in MODELS])
SHARES = np.array([m[4] for m in MODELS]) / sum(m[4] for m in MODELS)
SHUT = np.array([m[5] for m in MODELS])


def switch_probabilities():
    """[home, model]: the logit probability that a blocked user of `home` picks `model`."""
    n = len(MODELS)
    p = np.zeros((n, n))
    for h in range(n):
        u = np.full(n, -np.inf)
        for j in range(n):
            if j == h or SHUT[j]:
                continue
            same = MODELS[j][1] == MODELS[h][1]
            u[j] = CAPABILITY_WEIGHT * CAPABILITY[j] - PRICE_WEIGHT * math.log1p(MODELS[j][3]) + (LOYALTY if same else -SWITCHING_COST)
        e = np.exp(u - u.max())
        p[h] = e / e.sum()
    return p


def return_probability(days_away, gap):
    p0 = RETURN_PROBABILITY * np.exp2(-days_away / HALF_LIFE)
    odds = p0 * np.exp(QUALITY_GAP_WEIGHT * gap)
    return np.where(p0 >= 1, 1.0, odds / (1 - p0 + odds))


# States of the peers.
ACTIVE, WAITING, SWITCHED, RETURNED, CHURNED = range(5)


def numpy_peer(agents, days, seed=1):
    """Every user every day, as whole-array operations (one pass per day)."""
    rng = np.random.default_rng(seed)
    pick = np.cumsum(switch_probabilities(), axis=1)
    home = np.searchsorted(np.cumsum(SHARES), rng.random(agents), side="right").astype(np.int8)
    dependency = np.clip(rng.lognormal(math.log(TASKS_MEDIAN), TASKS_SIGMA, agents) / TASKS_MEDIAN, 0.1, 10.0)
    state = np.full(agents, ACTIVE, np.int8)
    current = home.copy()
    since = np.zeros(agents, np.int16)
    for day in range(days):
        open_today = not (SHUT_DAY <= day < REOPEN_DAY)
        blocked_home = SHUT[home] & (not open_today)
        # Newly blocked users start waiting.
        start = blocked_home & ((state == ACTIVE) | (state == RETURNED))
        state[start] = WAITING
        since[start] = day
        waiting = state == WAITING
        if open_today:
            state[waiting] = ACTIVE
            back = state == SWITCHED
            gap = CAPABILITY[home[back]] - CAPABILITY[current[back]]
            goes = rng.random(int(back.sum())) < return_probability(day - since[back], gap)
            idx = np.flatnonzero(back)
            state[idx[goes]] = RETURNED
            current[idx[goes]] = home[idx[goes]]
            state[idx[~goes]] = CHURNED
            continue
        hazard = -np.expm1(-dependency * (1 + GROWTH * (day - since)) / PATIENCE)
        switching = waiting & (rng.random(agents) < hazard)
        idx = np.flatnonzero(switching)
        choice = (rng.random(idx.size)[:, None] > pick[home[idx]]).sum(axis=1)
        state[idx] = SWITCHED
        current[idx] = choice
        since[idx] = day
    return float(np.mean(state == CHURNED))


class User:
    """One agent of the object-loop peer, in the style of a typical Python ABM framework."""

    def __init__(self, rng, cumulative_shares, pick):
        self.home = int(np.searchsorted(cumulative_shares, rng.random(), side="right"))
        self.dependency = min(10.0, max(0.1, rng.lognormvariate(math.log(TASKS_MEDIAN), TASKS_SIGMA) / TASKS_MEDIAN))
        self.state, self.current, self.since = ACTIVE, self.home, 0
        self.pick = pick[self.home]
        self.rng = rng

    def step(self, day, open_today):
        if self.state in (ACTIVE, RETURNED):
            if SHUT[self.home] and not open_today:
                self.state, self.since = WAITING, day
            else:
                return
        if self.state == WAITING:
            if open_today:
                self.state = ACTIVE
                return
            hazard = -math.expm1(-self.dependency * (1 + GROWTH * (day - self.since)) / PATIENCE)
            if self.rng.random() < hazard:
                draw = self.rng.random()
                self.current = next(j for j, c in enumerate(self.pick) if draw <= c)
                self.state, self.since = SWITCHED, day
        elif self.state == SWITCHED and open_today:
            gap = CAPABILITY[self.home] - CAPABILITY[self.current]
            if self.rng.random() < float(return_probability(day - self.since, gap)):
                self.state, self.current = RETURNED, self.home
            else:
                self.state = CHURNED


def python_peer(agents, days, seed=2):
    import random

    rng = random.Random(seed)
    pick = [list(row) for row in np.cumsum(switch_probabilities(), axis=1)]
    users = [User(rng, np.cumsum(SHARES), pick) for _ in range(agents)]
    for day in range(days):
        open_today = not (SHUT_DAY <= day < REOPEN_DAY)
        for user in users:
            user.step(day, open_today)
    return sum(u.state == CHURNED for u in users) / agents


def timed(fn, *args):
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn(*args)
    return result, time.process_time() - cpu, time.perf_counter() - wall


def gatesim(bench, agents, days):
    """Runs gatesim_bench on the workload, one thread; its own CPU and wall times."""
    # One run, as each peer is timed once.
    out = subprocess.run([bench, WORKLOAD, "--agents", str(agents), "--enterprises", "0", "--days", str(days), "--threads-max", "1",
                          "--repeat", "1"], check=True, capture_output=True, text=True).stdout
    line = re.search(r"threads 1: ([\d.]+) s wall[^,]*, ([\d.]+) s CPU.*churn share ([\d.eE+-]+|nan)", out)
    if not line:
        sys.exit(f"peer_bench: unexpected gatesim_bench output:\n{out}")
    return float(line.group(3)), float(line.group(2)), float(line.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="build/bin/gatesim_bench")
    parser.add_argument("--agents", type=int, default=1_000_000)
    parser.add_argument("--python-agents", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=180)
    args = parser.parse_args()

    rows = [("gatesim (C++, 1 thread)", args.agents, *gatesim(args.bench, args.agents, args.days)),
            ("numpy peer (vectorised)", args.agents, *timed(numpy_peer, args.agents, args.days)),
            ("python peer (object loop)", args.python_agents, *timed(python_peer, args.python_agents, args.days))]
    base_cpu = base_wall = None
    print(f"peer workload {os.path.relpath(WORKLOAD)}: {args.days} days")
    print(f"{'implementation':28} {'agents':>9} {'ns/user-day CPU':>16} {'wall':>9} {'x gatesim CPU':>14} {'wall':>7} {'churn share':>12}")
    for name, agents, churn, cpu, wall in rows:
        ns_cpu, ns_wall = 1e9 * cpu / (agents * args.days), 1e9 * wall / (agents * args.days)
        base_cpu, base_wall = base_cpu or ns_cpu, base_wall or ns_wall
        print(f"{name:28} {agents:9d} {ns_cpu:16.2f} {ns_wall:9.2f} {ns_cpu / base_cpu:14.2f} {ns_wall / base_wall:7.2f} {churn:12.5f}")
    # Agreement: the churn share is a mean of Bernoulli outcomes; compare each peer with gatesim
    # by its binomial standard error (4 sigma, so that a correct peer fails about once in 16,000 runs).
    ok = True
    _, n0, p0, _, _ = rows[0]
    for name, n, p, _, _ in rows[1:]:
        se = math.sqrt(p0 * (1 - p0) / n0 + p * (1 - p) / n)
        z = (p - p0) / se if se > 0 else 0.0
        agree = abs(z) <= 4
        ok = ok and agree
        print(f"churn share, {name} vs gatesim: difference {p - p0:+.5f}, z = {z:+.2f}: {'agree' if agree else 'DISAGREE'}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"(peer process peak RSS {usage.ru_maxrss / 1024:.0f} MiB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
