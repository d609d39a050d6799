"""The README's examples work on the files they name: the blocks between its readme-test markers
run in a fresh directory (shell first, then Python), with the populations and horizons made
small so that the suite stays fast, and then the reading examples of docs/results-format.md on
the same files. An example that breaks fails here."""
import os
import re
import subprocess
import sys

SMALL = "--set population.agents=1500 --set days=30 --threads 2"
STUDY_COMMANDS = ("run", "compare", "sweep", "sensitivity")


def readme_blocks(readme: str) -> list[tuple[str, str]]:
    section = readme.split("<!-- readme-test:begin -->", 1)[1].split("<!-- readme-test:end -->", 1)[0]
    return re.findall(r"```(sh|python)\n(.*?)```", section, re.S)


def small_commands(script: str) -> str:
    """Each gatesim study command, without its trailing comment, with SMALL appended and at most
    3 replicates."""
    lines = []
    for line in script.replace("\\\n", " ").splitlines():
        command = re.sub(r"--replicates \d+", "--replicates 3", re.sub(r"\s+#.*$", "", line))
        words = command.split()
        if len(words) > 1 and words[0].endswith("bin/gatesim") and words[1] in STUDY_COMMANDS:
            command += " " + SMALL
        lines.append(command)
    return "\n".join(lines)


def test_the_readme_marks_shell_and_python_examples(root):
    kinds = [kind for kind, _ in readme_blocks((root / "README.md").read_text())]
    assert "sh" in kinds and kinds.count("python") >= 2


def test_the_readme_examples_run_on_the_files_they_name(root, build_dir, tmp_path):
    blocks = readme_blocks((root / "README.md").read_text())
    blocks += readme_blocks((root / "docs" / "results-format.md").read_text())
    (tmp_path / "scenarios").symlink_to(root / "scenarios")
    (tmp_path / "build").symlink_to(build_dir)
    env = dict(os.environ, PYTHONPATH=str(build_dir / "python"), MPLBACKEND="Agg")
    for kind, code in blocks:
        if kind == "sh":
            result = subprocess.run(["bash", "-euo", "pipefail", "-c", small_commands(code)], cwd=tmp_path, env=env,
                                    capture_output=True, text=True)
        else:
            result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert result.returncode == 0, f"README {kind} block failed:\n{code}\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
    for name in ("out.h5", "ens.h5", "cmp.h5", "cmp.xlsx", "cmp.csv", "cmp-deltas.csv"):
        assert (tmp_path / name).is_file(), name
