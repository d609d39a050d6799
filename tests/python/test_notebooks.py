"""The analysis notebooks run top to bottom (their last cells assert on the numbers they
compute). They run on Debian's python3 kernel with the built package on PYTHONPATH, as ctest
sets it, so the test needs no installed kernel."""
import os

import nbclient
import nbformat
import pytest

NOTEBOOKS = ["global_shutdown_vs_baseline.ipynb", "churn_drivers.ipynb", "calibration_example.ipynb"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_its_checks_hold(root, name):
    path = root / "analysis" / name
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=600,
                                     resources={"metadata": {"path": str(path.parent)}})
    assert "PYTHONPATH" in os.environ, "the kernel finds gatesim through PYTHONPATH"
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "all checks hold" in text
