"""Studies on pools of processes (gatesim.parallel): a concurrent.futures ProcessPoolExecutor, or an
MPI pool of ranks (ranks=, mpi4py.futures), gives exactly the results and files of a serial run;
a failing worker fails the study as it would fail serially; an interrupted one leaves the pool
usable."""
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor

import h5py
import numpy as np
import pytest

import gatesim as gs
from gatesim import _core, parallel


@pytest.fixture(scope="module")
def pool():
    # spawn, not fork: the parent has threads (the study's), which fork does not carry over safely.
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as p:
        yield p


def same_runs(a: gs.Results, b: gs.Results) -> bool:
    """Every series and scalar of every replicate, bit for bit."""
    if a.series_names != b.series_names or a.scalar_names != b.scalar_names or a.replicates != b.replicates:
        return False
    return (all(a.stack(n).tobytes() == b.stack(n).tobytes() for n in a.series_names) and
            all(np.asarray(a.scalar(n)).tobytes() == np.asarray(b.scalar(n)).tobytes() for n in a.scalar_names))


def exact(value) -> bytes:
    """A value's type, shape and bytes; strings by their text."""
    a = np.asarray(value)
    text = repr(a.tolist()).encode() if a.dtype.kind == "O" else a.tobytes()
    return f"{a.dtype}{a.shape}".encode() + text


# Dimension-scale bookkeeping holds object references, whose bytes are addresses in memory.
REFERENCES = {"REFERENCE_LIST", "DIMENSION_LIST"}


def file_contents(path) -> dict:
    """Every dataset and attribute outside /provenance, exactly (references aside)."""
    with h5py.File(path, "r") as f:
        contents = {f"@{key}": exact(value) for key, value in f.attrs.items()}

        def visit(name, obj):
            if name.startswith("provenance"):
                return
            for key, value in obj.attrs.items():
                if key not in REFERENCES:
                    contents[f"{name}@{key}"] = exact(value)
            if isinstance(obj, h5py.Dataset):
                contents[name] = exact(obj[()])
        f.visititems(visit)
    return contents


def test_a_run_on_a_process_pool_is_the_serial_run(pool, small):
    sc = small("global_shutdown", {"days": 40})
    serial = gs.run(sc, replicates=6, threads=1)
    pooled = gs.run(sc, replicates=6, executor=pool)
    assert same_runs(serial, pooled)


def test_studies_on_a_process_pool_write_the_files_of_serial_studies(pool, small, tmp_path):
    a, b = small("baseline", {"days": 40}), small("global_shutdown", {"days": 40})
    serial = gs.compare([a, b], replicates=3, threads=1, bootstrap=20, output=tmp_path / "serial.h5")
    pooled = gs.compare([a, b], replicates=3, executor=pool, bootstrap=20, output=tmp_path / "pooled.h5")
    assert file_contents(tmp_path / "serial.h5") == file_contents(tmp_path / "pooled.h5")
    assert serial.deltas().equals(pooled.deltas())
    parameters = {"segments.consumer.patience_days": (3, 14)}
    swept = [gs.sweep(b, parameters, points=3, replicates=2, output=tmp_path / f"sweep{i}.h5", **kw)
             for i, kw in enumerate([{"threads": 1}, {"executor": pool}])]
    assert file_contents(tmp_path / "sweep0.h5") == file_contents(tmp_path / "sweep1.h5")
    assert swept[0].summary().equals(swept[1].summary())
    sensitive = [gs.sensitivity(b, parameters, samples=3, bootstrap=20, output=tmp_path / f"sens{i}.h5", **kw)
                 for i, kw in enumerate([{"threads": 1}, {"executor": pool}])]
    assert file_contents(tmp_path / "sens0.h5") == file_contents(tmp_path / "sens1.h5")
    assert sensitive[0].indices.equals(sensitive[1].indices)


class Truncating(Executor):
    """Hands the pool jobs with a byte missing, as a broken transport would."""

    def __init__(self, inner):
        self.inner = inner

    def submit(self, fn, job, threads):
        return self.inner.submit(fn, job[:-1], threads)


def test_a_failing_worker_fails_the_study_and_says_why(pool, small):
    with pytest.raises(RuntimeError, match="truncated"):
        gs.run(small("global_shutdown", {"days": 20}), replicates=3, executor=Truncating(pool))


def test_an_interrupted_pooled_ensemble_stops_and_leaves_the_pool_usable(pool, small):
    sc = small("global_shutdown", {"days": 40})

    def progress(done, total):
        if done >= 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _core.ensemble_study(sc._impl, 40, 0, threads=1, progress=progress, executor=pool,
                             in_flight=parallel.in_flight(pool))
    assert same_runs(gs.run(sc, replicates=2, executor=pool), gs.run(sc, replicates=2, threads=1))


def test_executor_or_ranks_not_both(pool, small):
    with pytest.raises(ValueError, match="not both"):
        gs.run(small(), replicates=2, executor=pool, ranks=2)
    with pytest.raises(TypeError, match="concurrent.futures"):
        gs.run(small(), replicates=2, executor=object())


def test_ranks_run_on_an_mpi_pool_as_serially(small, tmp_path):
    pytest.importorskip("mpi4py.futures")
    sc = small("global_shutdown", {"days": 30})
    assert same_runs(gs.run(sc, replicates=4, ranks=2), gs.run(sc, replicates=4, threads=1))
    a = small("baseline", {"days": 30})
    gs.compare([a, sc], replicates=2, threads=1, bootstrap=20, output=tmp_path / "serial.h5")
    gs.compare([a, sc], replicates=2, ranks=2, bootstrap=20, output=tmp_path / "ranks.h5")
    assert file_contents(tmp_path / "serial.h5") == file_contents(tmp_path / "ranks.h5")
