"""The calibration section of a briefing (gatesim report --calibration calib.h5): what was fitted
to what, the best fit and the region of values consistent with the data, what the data do not pin
down, and two figures (the fit with its band, the pairs of consistent values)."""
from __future__ import annotations

from .plots import human_number


def section(cal) -> dict:
    from . import briefing_figures, plots

    region = cal.region()
    rows = [{"key": key, "best": human_number(r["best"], ""), "median": human_number(r["median"], ""),
             "low": human_number(r["low"], ""), "high": human_number(r["high"], ""),
             "prior": f"{human_number(r['prior_low'], '')} to {human_number(r['prior_high'], '')}",
             "share": f"{r['width_share']:.0%}"} for key, r in region.iterrows()]
    quantities = ", ".join(f"{name} ({o['metric']}, {len(o['value'])} observations)" for name, o in cal.observed.items())
    lead = (f"{len(cal.keys)} parameter(s) fitted to {cal.count_observations} observations of {quantities}"
            f"{' from ' + cal.observations_path if cal.observations_path else ''}: {len(cal.loss)} trials "
            f"({cal.method}) of {cal.replicates} replicates each under common random numbers; "
            f"{int(cal.accepted.sum())} trials are consistent with the data at {cal.level:.0%} "
            "(likelihood-ratio region, docs/calibration.md).")
    figures = [
        {"id": "calibration-fit", "svg": briefing_figures.svg(plots.calibration_fit(cal)),
         "caption": "Observed values (points, ±1 sd where given) against the model: the best fit (line) and, shaded, "
                    "the central 90% of the fitted means over the trials consistent with the data, i.e. the "
                    "parameter uncertainty that remains (each trial's mean is over its replicates)."},
        {"id": "calibration-pairs", "svg": briefing_figures.svg(plots.calibration_pairs(cal)),
         "caption": "Each fitted parameter against each other: all trials (grey), those consistent with the data "
                    "(blue), the best fit (star); on the diagonal, the consistent values over the prior range. "
                    "A band spanning the range, or a ridge, is a value the data do not pin down."},
    ]
    return {"lead": lead, "rows": rows, "flags": cal.flags, "figures": figures}
