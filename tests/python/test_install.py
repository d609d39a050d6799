"""Both install paths, each into a fresh venv made from Debian's Python with
--system-site-packages and without network: .ci/python-venv (what .ci/setup runs: pip reusing
the CMake build, and the Jupyter kernel) and a plain `pip install --no-build-isolation .`
(setup.py configures and builds the extension with CMake itself)."""
import json
import os
import subprocess
from pathlib import Path

CHECK = ("import gatesim as gs, sys; "
         "sc = gs.Scenario.library('global_shutdown', {'population.agents': 2000}); "
         "res = gs.run(sc, replicates=2, progress=False); "
         "assert res.scalar('peak_blocked').min() > 0; print(gs.__file__)")


def clean_env(**extra) -> dict:
    """The caller's environment without the build tree on sys.path, and pip kept offline."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GATESIM_BUILD_DIR", "VIRTUAL_ENV")}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


def imports_from(venv: Path, env: dict) -> Path:
    out = subprocess.run([str(venv / "bin" / "python"), "-c", CHECK], cwd="/", env=env, capture_output=True,
                         text=True, check=True)
    return Path(out.stdout.strip().splitlines()[-1])


def test_ci_python_venv_reuses_the_build_and_registers_the_kernel(root, build_dir, tmp_path):
    venv, jupyter = tmp_path / "venv", tmp_path / "jupyter"
    # JUPYTER_DATA_DIR keeps the test's kernel spec away from the user's own.
    env = clean_env(JUPYTER_DATA_DIR=str(jupyter))
    subprocess.run([str(root / ".ci" / "python-venv"), str(venv), str(build_dir)], env=env, check=True,
                   capture_output=True, text=True)
    location = imports_from(venv, env)
    assert location.is_relative_to(venv), location
    assert (location.parent / "scenarios" / "global_shutdown.yaml").is_file()
    assert (location.parent / "parameter-sources.yaml").is_file()  # the briefings' sources
    spec = json.loads((jupyter / "kernels" / "gatesim" / "kernel.json").read_text())
    assert spec["display_name"] == "Python (gatesim)"
    assert spec["argv"][0] == str(venv / "bin" / "python")


# On a fresh clone this configures and builds the extension from scratch: about a minute. Later
# runs reuse build/python-package/cmake and take seconds.
def test_pip_install_builds_the_extension_with_cmake(root, tmp_path):
    venv = tmp_path / "venv"
    env = clean_env()
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)], check=True, env=env)
    result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-build-isolation",
                             "--root-user-action=ignore", str(root)], cwd=tmp_path, env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert imports_from(venv, env).is_relative_to(venv)
