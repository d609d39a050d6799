"""Builds the gatesim Python package for pip: the pure-Python layer (python/gatesim), a copy of
the scenario library (gatesim/scenarios), and the _core extension, built by the project's own
CMake build (target _core) rather than by setuptools, so there is one build definition.

    pip install --no-build-isolation .                      # reuses build/ when configured, else
                                                            # configures build/python-package/cmake
    GATESIM_BUILD_DIR=DIR pip install --no-build-isolation .  # builds in that CMake build directory

cmake, a C++20 compiler, pybind11 and the libraries come from Debian (.ci/debian-packages.txt).
"""
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# Under build/ (ignored by git) rather than setuptools' default, which would mix with CMake's.
BUILD_BASE = ROOT / "build" / "python-package"


def project_version() -> str:
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    match = re.search(r"project\(\s*gatesim\s+VERSION\s+([0-9.]+)", text)
    return match.group(1) if match else "0.0.0"


def _same_python(executable: str) -> bool:
    """Whether an interpreter builds extensions this one can import (same version and ABI)."""
    try:
        out = subprocess.run([executable, "-c", "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return False
    return out == sysconfig.get_config_var("EXT_SUFFIX")


class BuildWithCMake(build_ext):
    """Builds gatesim._core with CMake and copies it where setuptools expects the extension."""

    def build_extension(self, ext):
        build_dir = Path(os.environ.get("GATESIM_BUILD_DIR") or self._default_build_dir()).resolve()
        own = build_dir == (BUILD_BASE / "cmake").resolve()
        if own or not (build_dir / "CMakeCache.txt").exists():
            # The real interpreter behind a venv's python: the venv may be gone by the next build.
            python = os.path.realpath(sys.executable)
            self._run(["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
                       "-DBUILD_TESTING=OFF", f"-DPython_EXECUTABLE={python}"])
        self._run(["cmake", "--build", str(build_dir), "--target", "_core", "-j", str(os.cpu_count() or 1)])
        built = build_dir / "python" / "gatesim" / f"_core{sysconfig.get_config_var('EXT_SUFFIX')}"
        if not built.exists():
            found = sorted(p.name for p in built.parent.glob("_core*"))
            raise RuntimeError(f"{built} was not built: the build in {build_dir} is for another Python "
                               f"(it has {found or 'no extension'}); set GATESIM_BUILD_DIR to another directory")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)

    @staticmethod
    def _default_build_dir() -> Path:
        """The project's own build/ when .ci/build configured it for this Python (no second
        build of the C++ core), else a build of its own."""
        cache = ROOT / "build" / "CMakeCache.txt"
        if cache.exists():
            text = cache.read_text(encoding="utf-8", errors="replace")
            match = re.search(r"^GATESIM_PYTHON_EXECUTABLE:INTERNAL=(.*)$", text, re.MULTILINE)
            if match and _same_python(match.group(1)):
                return ROOT / "build"
        return BUILD_BASE / "cmake"

    @staticmethod
    def _run(command):
        print("setup.py:", " ".join(command), flush=True)
        subprocess.run(command, check=True)


class BuildWithScenarios(build_py):
    """Ships the scenario library inside the package, for gatesim.Scenario.library(), and the
    sources of the defaults (docs/parameter-sources.yaml), for the briefings' assumptions."""

    def run(self):
        super().run()
        target = Path(self.build_lib) / "gatesim" / "scenarios"
        target.mkdir(parents=True, exist_ok=True)
        for scenario in sorted((ROOT / "scenarios").glob("*.yaml")):
            shutil.copyfile(scenario, target / scenario.name)
        shutil.copyfile(ROOT / "docs" / "parameter-sources.yaml", target.parent / "parameter-sources.yaml")


BUILD_BASE.mkdir(parents=True, exist_ok=True)
setup(
    version=project_version(),
    ext_modules=[Extension("gatesim._core", sources=[])],
    cmdclass={"build_ext": BuildWithCMake, "build_py": BuildWithScenarios},
    options={"build": {"build_base": str(BUILD_BASE / "setuptools")},
             "egg_info": {"egg_base": str(BUILD_BASE)}},
)
