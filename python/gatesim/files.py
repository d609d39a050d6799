"""gs.load: every file gatesim writes, as the object the Python call would have made.

    gs.load("out.h5")     # gatesim run -o             -> Results (one run)
    gs.load("ens.h5")     # gatesim run --replicates   -> Results (an ensemble)
    gs.load("cmp.h5")     # gatesim compare            -> Comparison
    gs.load("sweep.h5")   # gatesim sweep              -> Sweep
    gs.load("sens.h5")    # gatesim sensitivity        -> Sensitivity
    gs.load("calib.h5")   # gatesim calibrate          -> Calibration

Each has save(), which writes the file back (at the current schema version) so that gs.load
gives the same object again. Files of the previous schema version are read too.
"""
from __future__ import annotations

import os
import warnings
from typing import Mapping

from . import _core, study_data
from .results import Results, load_results
from .studies import Comparison, Sensitivity, Study, Sweep

STUDIES = {"gatesim-comparison": Comparison, "gatesim-sweep": Sweep, "gatesim-sensitivity": Sensitivity}


def load(path: str | os.PathLike) -> Results | Study:
    """Reads any gatesim file: a run, an ensemble, a comparison, a sweep or a sensitivity
    analysis (see the module doc). Raises ResultsFileError for files it cannot read."""
    path = os.fspath(path)
    kind = _core.file_type(path)
    if kind == "gatesim-calibration":
        from .calibration import Calibration

        return Calibration.load(path)
    if kind == "gatesim-results":
        return load_results(path)
    data = _core.read_study(path)
    if not data["complete"]:
        plan = study_data.plan(data)
        warnings.warn(f"{path} is incomplete ({plan.get('completed_runs', 0)} of {plan.get('runs', '?')} runs): its "
                      "tables cover the finished runs (an interrupted study of an earlier gatesim; studies now keep "
                      "their finished runs in PATH.partial and resume from there)", stacklevel=2)
    return open_study(data, path)


def open_study(data: Mapping, path: str | None = None) -> Results | Study:
    """The object for a study's data (as _core.read_study or a study call returns it)."""
    kind = data["file_type"]
    if kind == "gatesim-ensemble":
        label = os.path.splitext(os.path.basename(path))[0] if path else None
        res = study_data.ensemble(data)
        if res.scenario is None and label:
            res.label = label
        return res
    return STUDIES[kind](data, path)
