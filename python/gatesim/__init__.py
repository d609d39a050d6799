"""gatesim from Python: scenarios, runs, results, plots.

    import gatesim as gs
    sc = gs.Scenario.library("global_shutdown")       # or gs.Scenario.load(path), .from_dict({...})
    sc["directive.day"] = 10                          # validated like --set directive.day=10
    res = gs.run(sc, replicates=20, threads=2)        # C++ engine, GIL released, Ctrl-C safe
    cmp = gs.compare(["baseline", sc]); cmp.deltas()  # also gs.sweep(...), gs.sensitivity(...)
    res.summary(); df = res.to_pandas(); ds = res.to_xarray()
    same = gs.load("results/global_shutdown.h5")      # any file the CLI writes: run, ensemble, study
    gs.report(["cmp.h5"], "briefing", audience="policy")   # briefing/briefing.html and .pdf
    cal = gs.calibrate(sc, "obs.csv", "segments.consumer.return_hazard=0:0.2")   # fit to observations

The simulation, validation, statistics and file formats are the C++ core's (the same code as the
CLI); this package binds them and adds tables and charts.
"""
from . import _core
from .calibration import Calibration, calibrate
from .errors import CalibrationError, GatesimError, ObservationsError, Problem, ResultsFileError, SanityWarning, ScenarioError
from .files import load
from .results import Results, ScalarInfo, SeriesInfo
from .report import ReportError, report
from .running import run
from .scenario import Scenario
from .stats import DEFAULT_QUANTILES
from .studies import Comparison, Sensitivity, Sweep, compare, sensitivity, sweep

__version__ = _core.__version__
git_commit = _core.git_commit

__all__ = [
    "Calibration", "CalibrationError", "DEFAULT_QUANTILES", "ObservationsError", "calibrate", "Comparison", "GatesimError", "Problem", "ReportError", "Results", "ResultsFileError", "SanityWarning", "ScalarInfo",
    "Scenario", "ScenarioError", "Sensitivity", "SeriesInfo", "Sweep", "compare", "load", "report", "run", "sensitivity", "sweep",
]


def __getattr__(name):
    # gs.plots and gs.export without importing matplotlib or openpyxl at `import gatesim`;
    # gs.options (how charts are drawn) and gs.savefig are the plots module's.
    if name in ("plots", "export", "options", "savefig"):
        import importlib

        module = importlib.import_module(f".{'plots' if name in ('options', 'savefig') else name}", __name__)
        return getattr(module, name) if name in ("options", "savefig") else module
    raise AttributeError(f"module 'gatesim' has no attribute {name!r}")
