"""gatesim from Python: scenarios, runs, results, plots.

    import gatesim as gs
    sc = gs.Scenario.library("global_shutdown")       # or gs.Scenario.load(path), .from_dict({...})
    sc["directive.day"] = 10                          # validated like --set directive.day=10
    res = gs.run(sc, replicates=20, threads=2)        # C++ engine, GIL released, Ctrl-C safe
    cmp = gs.compare(["baseline", sc]); cmp.deltas()  # also gs.sweep(...), gs.sensitivity(...)
    res.summary(); df = res.to_pandas(); ds = res.to_xarray()
    same = gs.load("results/global_shutdown.h5")      # files written by the CLI

The simulation, validation and file formats are the C++ core's (the same code as the CLI);
this package binds them and adds tables and charts.
"""
from . import _core
from .errors import GatesimError, Problem, ResultsFileError, SanityWarning, ScenarioError
from .results import DEFAULT_QUANTILES, Results, ScalarInfo, SeriesInfo, load
from .running import run
from .scenario import Scenario
from .studies import Comparison, Sensitivity, Sweep, compare, sensitivity, sweep

__version__ = _core.__version__
git_commit = _core.git_commit

__all__ = [
    "DEFAULT_QUANTILES", "Comparison", "GatesimError", "Problem", "Results", "ResultsFileError", "SanityWarning", "ScalarInfo",
    "Scenario", "ScenarioError", "Sensitivity", "SeriesInfo", "Sweep", "compare", "load", "run", "sensitivity", "sweep",
]


def __getattr__(name):
    # gs.plots without importing matplotlib at `import gatesim`.
    if name == "plots":
        import importlib

        return importlib.import_module(".plots", __name__)
    raise AttributeError(f"module 'gatesim' has no attribute {name!r}")
