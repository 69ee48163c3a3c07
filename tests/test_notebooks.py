"""The notebooks run top to bottom on a small sample, so they never rot."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import needs_shared

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.mark.parametrize("name", ["01_explore_claims_history.ipynb", "02_train_evaluate_register.ipynb"])
def test_notebook_runs_on_a_sample(name, tmp_path, monkeypatch):
    needs_shared("data", "vehicle_fraud", "claims_1994_1995.csv")
    registry = tmp_path / "registry"
    monkeypatch.setenv("CLAIMS_NOTEBOOK_SAMPLE", "2000")
    monkeypatch.setenv("CLAIMS_MODEL_REGISTRY", str(registry))  # never touch the shipped models
    monkeypatch.delenv("CLAIMS_NOTEBOOK_PROMOTE", raising=False)
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    if name.startswith("02"):
        assert list(registry.glob("artifacts/auto/*/card.md")), "the notebook registers its model in the temp registry"
        assert "registered, not promoted" in str(notebook.cells[-1].outputs)
