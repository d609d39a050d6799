"""The calibration file (gatesim-calibration, docs/calibration.md and docs/results-format.md):
trials, best fit, the region's sample, and fitted against observed values, written and read with
h5py. `--parameters-from` reads /posterior (sim/io/parameter_sample)."""
from __future__ import annotations

import os

import numpy as np

from .errors import CalibrationError


def _strings(values):
    import h5py

    return np.array([str(v) for v in values], dtype=h5py.string_dtype())


def _text(group, name, text):
    import h5py

    group.create_dataset(name, data=text, dtype=h5py.string_dtype())


FILE_TYPE = "gatesim-calibration"
SCHEMA_VERSION = 1


def write(cal, path: str) -> None:
    """Writes a Calibration under a temporary name and renames it into place, so an existing
    file is replaced only by a complete one."""
    import h5py

    tmp = path + ".tmp"
    with h5py.File(tmp, "w", track_order=True) as f:
        f.attrs.update({"file_type": FILE_TYPE, "schema_version": SCHEMA_VERSION, "method": cal.method,
                        "level": cal.level, "replicates": cal.replicates, "cutoff": cal.cutoff,
                        "observations_file": cal.observations_path})
        _text(f, "scenario", cal.scenario_yaml)
        _text(f, "observations", cal.observations_text)
        p = f.create_group("parameters", track_order=True)
        p["key_path"] = _strings(cal.keys)
        p["low"] = [x.low for x in cal.parameters]
        p["high"] = [x.high for x in cal.parameters]
        p["best"] = [cal.best[k] for k in cal.keys]
        t = f.create_group("trials", track_order=True)
        t["values"] = cal.trial_values
        t["loss"] = cal.loss
        t["chi2"] = cal.chi2
        t["in_region"] = cal.accepted.astype(np.uint8)
        post = f.create_group("posterior", track_order=True)
        post["key_path"] = _strings(cal.keys)
        post["sample"] = cal.sample
        post["flags"] = _strings(cal.flags)
        fit = f.create_group("fit", track_order=True)
        for name, o in cal.observed.items():
            g = fit.create_group(name, track_order=True)
            g.attrs["metric"] = o["metric"]
            for key in ("day", "value", "uncertainty"):
                g[key] = o[key]
            g["predicted_mean"] = cal.predictions[name]
            g["predicted_sd"] = cal.prediction_sd[name]
    os.replace(tmp, path)


def _read_text(f, name: str) -> str:
    value = f[name][()]
    return value.decode() if isinstance(value, bytes) else str(value)


def read(path: str) -> dict:
    """What Calibration.load needs from a calibration file: parameters as (key, low, high) and
    the constructor's arguments; CalibrationError for a file that is not one."""
    import h5py

    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise CalibrationError(f"{path}: cannot open the calibration file: {e}") from None
    with f:
        if f.attrs.get("file_type") != FILE_TYPE:
            raise CalibrationError(f"{path}: not a calibration file (file_type {f.attrs.get('file_type')!r})")
        keys = [k.decode() if isinstance(k, bytes) else k for k in f["parameters/key_path"][()]]
        parameters = [(k, float(lo), float(hi)) for k, lo, hi in zip(keys, f["parameters/low"][()], f["parameters/high"][()])]
        observed, means, sds = {}, {}, {}
        for name, g in f["fit"].items():
            observed[name] = {"day": g["day"][()], "value": g["value"][()], "uncertainty": g["uncertainty"][()],
                              "metric": g.attrs["metric"]}
            means[name] = g["predicted_mean"][()]
            sds[name] = g["predicted_sd"][()]
        return {"parameters": parameters, "trial_values": f["trials/values"][()], "loss": f["trials/loss"][()],
                "predictions": means, "prediction_sd": sds, "observed": observed, "level": float(f.attrs["level"]),
                "replicates": int(f.attrs["replicates"]), "method": str(f.attrs["method"]),
                "scenario_yaml": _read_text(f, "scenario"), "observations_text": _read_text(f, "observations"),
                "observations_path": str(f.attrs.get("observations_file", ""))}
