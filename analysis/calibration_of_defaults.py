"""The default world against the public record, measured from the simulator.

    PYTHONPATH=build/python /usr/bin/python3 analysis/calibration_of_defaults.py [--agents N]

Runs the library's baseline (the default world, no order: every day is day 0) and prints, as
markdown, the outputs docs/calibration-of-defaults.md reports: users by provider and segment,
run-rates as providers report them, subscriptions, cloud partners' take, the channel mix and
regional shares, each public target with its range and source id (docs/sources.md). Exits 1
when a target misses its range. tests/python/test_calibration.py runs it at 200,000 agents.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

import gatesim as gs

# (key, low, high, what, source ids): the public ranges the measured world must fall in.
TARGETS = [
    ("users.lab_a", 80e6, 150e6, "lab_a users (monthly, counted once at the preferred model)", "bohu-2026-05, sensortower-2026-06"),
    ("consumers.lab_a", 40e6, 75e6, "lab_a consumer-app users", "sensortower-2026-06 (56M app MAU)"),
    ("consumers.lab_b", 0.90e9, 1.15e9, "lab_b consumer-app users", "sensortower-2026-06, openai-2026-02"),
    ("ratio.consumers", 1 / 25, 1 / 15, "lab_a / lab_b consumers", "sensortower-2026-06 (1/18), similarweb-2026-03 (1/22)"),
    ("paying.lab_b.consumer", 45e6, 65e6, "lab_b paying consumers", "openai-2026-02 (50M+)"),
    ("run_rate.lab_a", 30e9, 50e9, "lab_a run-rate (as reported)", "press-2026-anthropic-rr, wsj-2026-q2"),
    ("usage_share.lab_a", 0.80, 0.95, "lab_a usage-billed share of its run-rate", "barclays-2025-09, press-2026-anthropic-rr"),
    ("run_rate.lab_b", 22e9, 32e9, "lab_b run-rate", "press-2026-openai-rr"),
    ("subscription_share.lab_b", 0.62, 0.78, "lab_b subscription share of its run-rate", "ft-2025-openai"),
    ("take.lab_a", 2.5e9, 6.5e9, "cloud partners' take from lab_a's sales, per year", "theinformation-2026-02"),
    ("payout_ratio.lab_a", 0.06, 0.13, "partners' take / lab_a run-rate", "theinformation-2026-02"),
    ("market_share.lab_a", 0.31, 0.60, "lab_a share of the market's run-rate", "counterpoint-2026-q1"),
    ("region_share.lab_a.us", 0.19, 0.24, "share of lab_a consumers in the US", "aei-2025-09 (21.6%)"),
    ("region_share.lab_a.india", 0.06, 0.085, "share of lab_a consumers in India", "aei-2025-09 (7.2%)"),
    ("region_share.lab_a.south_korea", 0.03, 0.045, "share of lab_a consumers in South Korea", "aei-2025-09 (3.7%)"),
    ("domestic_share.china", 0.90, 1.0, "share of Chinese consumers on domestic providers", "cnnic-2025-10"),
]


def _labels(res: gs.Results, series: str) -> dict[str, tuple[str, ...]]:
    return dict(res.info(series).axes)


def measure(agents: int = 500_000, seed: int | None = None) -> dict:
    """Every measured output of the default world, from one baseline run (day 0)."""
    enterprises = max(1, agents * 20_000 // 500_000)  # the defaults' ratio of enterprises to users
    sc = gs.Scenario.library("baseline", {"population.agents": agents, "enterprises.agents": enterprises,
                                          "reporting.scopes": ["segment=consumer"]})
    res = gs.run(sc, seed=seed, progress=False)
    providers = _labels(res, "revenue_by_provider")["provider"]
    partners = _labels(res, "revenue_by_cloud_partner")["cloud_partner"]
    channels = _labels(res, "usage_sales")["sales_channel"]
    axes = _labels(res, "users_by_model_region_and_segment")
    models, regions, segments = axes["model"], axes["region"], axes["segment"]
    provider_of = {m: sc[f"models.{m}.provider"] for m in models}
    by_mrs = res["users_by_model_region_and_segment"][0]  # [model, region, segment] on day 0
    by_prs = {p: sum(by_mrs[i] for i, m in enumerate(models) if provider_of[m] == p) for p in providers}  # [region, segment]
    usage = res["usage_sales"][0].reshape(len(providers), len(channels))  # USD per day
    mrr = res["mrr_by_provider"][0]
    take = res["revenue_by_cloud_partner_and_provider"][0].reshape(len(partners), len(providers)) * 365
    run_rate = res["run_rate_by_provider"][0]
    out = {"agents": agents, "enterprises": enterprises, "providers": providers, "partners": partners, "channels": channels,
           "segments": segments, "regions": regions}
    out["users"] = {p: dict(zip(segments, by_prs[p].sum(axis=0))) for p in providers}
    out["users_by_region"] = {p: dict(zip(regions, by_prs[p].sum(axis=1))) for p in providers}
    consumer = segments.index("consumer")
    out["consumers_by_region"] = {p: dict(zip(regions, by_prs[p][:, consumer])) for p in providers}
    out["run_rate"] = dict(zip(providers, run_rate))
    out["subscriptions"] = dict(zip(providers, 12 * mrr))  # per year, as in the run-rate
    out["usage_by_channel"] = {p: dict(zip(channels, 364 * usage[i])) for i, p in enumerate(providers)}
    out["take"] = {k: dict(zip(providers, take[j])) for j, k in enumerate(partners)}
    out["net_revenue"] = dict(zip(providers, 365 * res["revenue_by_provider"][0]))
    # Consumers pay only plans (the app bills no tokens): their run-rate is 12 x their MRR.
    out["consumer_mrr"] = {p: res.summary(scope="segment=consumer", raw=True).loc[f"run_rate.{p}", "value"] / 12 for p in providers}
    return out


def headline(m: dict) -> dict:
    """The flat key -> value map TARGETS refer to."""
    users = {p: sum(v.values()) for p, v in m["users"].items()}
    consumers = {p: v["consumer"] for p, v in m["users"].items()}
    rr = m["run_rate"]
    take_a = sum(d["lab_a"] for d in m["take"].values())
    lab_a_regions = m["consumers_by_region"]["lab_a"]
    china = {p: v["china"] for p, v in m["consumers_by_region"].items()}
    plan = "providers.lab_b.plans.consumer.price_per_month"
    return {
        "users.lab_a": users["lab_a"], "consumers.lab_a": consumers["lab_a"], "consumers.lab_b": consumers["lab_b"],
        "ratio.consumers": consumers["lab_a"] / consumers["lab_b"],
        "paying.lab_b.consumer": m["consumer_mrr"]["lab_b"] / gs.Scenario.library("baseline")[plan],
        "run_rate.lab_a": rr["lab_a"], "usage_share.lab_a": 1 - m["subscriptions"]["lab_a"] / rr["lab_a"],
        "run_rate.lab_b": rr["lab_b"], "subscription_share.lab_b": m["subscriptions"]["lab_b"] / rr["lab_b"],
        "take.lab_a": take_a, "payout_ratio.lab_a": take_a / rr["lab_a"], "market_share.lab_a": rr["lab_a"] / sum(rr.values()),
        **{f"region_share.lab_a.{r}": lab_a_regions[r] / sum(lab_a_regions.values()) for r in ("us", "india", "south_korea")},
        "domestic_share.china": (china["lab_f"] + china.get("open_community", 0)) / sum(china.values()),
    }


def checks(m: dict) -> list[tuple[str, float, float, float, str, str, bool]]:
    h = headline(m)
    return [(what, h[key], lo, hi, source, key, lo <= h[key] <= hi) for key, lo, hi, what, source in TARGETS]


def _fmt(x: float) -> str:
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"{x / scale:.3g}{suffix}"
    return f"{x:.3g}"


def report(m: dict) -> str:
    lines = [f"Measured from the baseline at {m['agents']:,} agents ({m['enterprises']:,} enterprises), day 0. Per year: "
             "run-rate as reported (13 x 28 days of booked usage + 12 x monthly plans); usage sales at list price on every "
             "channel, a partner's own resales included (not booked by the provider); channel mix of those sales.", ""]
    segs = m["segments"]
    lines += ["| provider | users | " + " | ".join(segs) + " |", "|---|---:|" + "---:|" * len(segs)]
    for p in m["providers"]:
        u = m["users"][p]
        lines.append(f"| {p} | {_fmt(sum(u.values()))} | " + " | ".join(_fmt(u[g]) for g in segs) + " |")
    lines += ["", "| provider | run-rate | usage sales (gross) | subscriptions | net revenue | " + " | ".join(m["channels"]) + " |",
              "|---|---:|---:|---:|---:|" + "---:|" * len(m["channels"])]
    for p in m["providers"]:
        usage = m["usage_by_channel"][p]
        total = sum(usage.values())
        mix = " | ".join(f"{usage[c] / total:.1%}" if total else "—" for c in m["channels"])
        lines.append(f"| {p} | {_fmt(m['run_rate'][p])} | {_fmt(total)} | {_fmt(m['subscriptions'][p])} | "
                     f"{_fmt(m['net_revenue'][p])} | {mix} |")
    lines += ["", "| cloud partner | " + " | ".join(m["providers"]) + " | total |", "|---|" + "---:|" * (len(m["providers"]) + 1)]
    for k in m["partners"]:
        d = m["take"][k]
        lines.append(f"| {k} | " + " | ".join(_fmt(d[p]) for p in m["providers"]) + f" | {_fmt(sum(d.values()))} |")
    lines += ["", "| quantity | measured | public range | verdict | source |", "|---|---:|---|---|---|"]
    for what, value, lo, hi, source, _, ok in checks(m):
        shown = f"{value:.3g}" if abs(value) < 10 else _fmt(value)
        lines.append(f"| {what} | {shown} | {_fmt(lo)} - {_fmt(hi)} | {'in range' if ok else 'MISS'} | {source} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agents", type=int, default=500_000, help="simulated users (default: the defaults' 500,000)")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    m = measure(args.agents, args.seed)
    print(report(m))
    return 0 if all(ok for *_, ok in checks(m)) else 1


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    sys.exit(main())
