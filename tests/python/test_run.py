"""Running from Python: the GIL is released, Ctrl-C cancels cleanly, progress is reported, and
errors become Python exceptions instead of ending the interpreter."""
import _thread
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import gatesim as gs
from gatesim import _core


def long_scenario(small, agents=2_000_000, days=3000):
    """Runs for far longer than any test waits."""
    return small("global_shutdown", {"population.agents": agents, "days": days})


def test_gil_is_released_during_a_run(small):
    sc = small("global_shutdown", {"population.agents": 300_000, "days": 360})
    ticks = 0
    running = threading.Event()
    stop = threading.Event()

    def count():
        nonlocal ticks
        running.set()
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    running.wait()
    start_ticks, started = ticks, time.perf_counter()
    gs.run(sc, threads=1)
    elapsed = time.perf_counter() - started
    during = ticks - start_ticks
    stop.set()
    counter.join()
    assert elapsed > 0.1, "the run should take long enough to measure"
    # With the GIL held for the whole run the counter would barely move.
    assert during > 20 and during > 0.2 * elapsed / 0.001, (during, elapsed)


def test_keyboard_interrupt_cancels_the_run(small):
    sc = long_scenario(small)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    started = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        gs.run(sc, threads=2)
    assert time.perf_counter() - started < 5, "the run stops at the next day boundary, not at the end"
    timer.join()
    # The extension is in a clean state afterwards.
    assert gs.run(small("global_shutdown")).replicates == 1


def test_sigint_in_a_subprocess(small, tmp_path):
    script = tmp_path / "interrupted.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time
        import gatesim as gs
        sc = gs.Scenario.library("global_shutdown", {{"population.agents": 2000000, "days": 3000}})
        print("running", flush=True)
        started = time.perf_counter()
        try:
            gs.run(sc, threads=2, progress=False)
        except KeyboardInterrupt:
            print(f"interrupted after {{time.perf_counter() - started:.1f}} s", flush=True)
            sys.exit(0)
        print("finished", flush=True)
        sys.exit(3)
    """))
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=os.environ.copy())
    assert child.stdout.readline().strip() == "running"
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 0, (out, err)
    assert out.startswith("interrupted"), out


def test_progress_is_polled_on_the_calling_thread(small):
    sc = small("global_shutdown", {"population.agents": 200_000})
    calls = []
    caller = threading.get_ident()

    def progress(done, total):
        assert threading.get_ident() == caller
        calls.append((done, total))

    data = _core.ensemble_study(sc._impl, 3, 0, threads=2, progress=progress, poll_seconds=0.005)
    assert data["outcome"]["completed_runs"] == 3
    assert calls[-1] == (3, 3), "an ensemble counts runs"
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:])), "progress never goes back"
    calls.clear()
    _core.run_single(sc._impl, 0, 2, progress, 0.005)
    assert calls[-1] == (sc.days, sc.days), "a single run counts days"
    assert len(calls) > 1


def test_progress_bar_option(shutdown):
    pytest.importorskip("tqdm")
    assert gs.run(shutdown, progress=True).replicates == 1
    assert gs.run(shutdown, progress=False).replicates == 1


def test_an_error_in_the_progress_callable_stops_the_run(small):
    sc = long_scenario(small)

    def progress(done, total):
        raise RuntimeError("progress display failed")

    started = time.perf_counter()
    with pytest.raises(RuntimeError, match="progress display failed"):
        _core.run_single(sc._impl, 0, 2, progress, 0.05)
    assert time.perf_counter() - started < 5


def test_bad_arguments_raise_python_errors(shutdown):
    with pytest.raises(ValueError):
        gs.run(shutdown, replicates=0)
    with pytest.raises(ValueError):
        gs.run(shutdown, threads=0)
    with pytest.raises(ValueError):
        _core.ensemble_study(shutdown._impl, 0, 0)
    with pytest.raises(ValueError):
        _core.run_single(shutdown._impl, 0, 1, None, 0.0)
    with pytest.raises(ValueError, match="replicates"):
        _core.ensemble_study(shutdown._impl, 4, 3)  # 4 runs cannot split into draws of 3
    with pytest.raises(TypeError):
        gs.run(42)


def test_run_accepts_paths_and_library_names(root):
    sc_path = root / "scenarios" / "baseline.yaml"
    res = gs.run(gs.Scenario.load(sc_path, {"population.agents": 2000}))
    assert res.label == "baseline"
    assert gs.run("baseline", progress=False).label == "baseline"


def test_seed_override_changes_the_draws(shutdown):
    a = gs.run(shutdown, seed=1)
    b = gs.run(shutdown, seed=2)
    assert a.seeds == (1,) and b.seeds == (2,)
    assert a.scenario.seed == 1 and shutdown.seed != 1, "the caller's scenario is not modified"
    assert a["switched"].tobytes() != b["switched"].tobytes()


def test_ensemble_interrupt(small):
    sc = small("global_shutdown", {"population.agents": 1_000_000, "days": 2000})
    timer = threading.Timer(0.3, _thread.interrupt_main)
    started = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        gs.run(sc, replicates=4, threads=2)
    assert time.perf_counter() - started < 5
    timer.join()
