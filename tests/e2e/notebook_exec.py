"""Execute a notebook as the test suite does, and return its outputs."""

from __future__ import annotations

from pathlib import Path

import nbclient
import nbformat


def execute(path: Path, timeout: int) -> tuple[nbformat.NotebookNode, list]:
    """Run every cell (kernel python3, in the notebook's folder); return the notebook and its outputs.

    Raises CellExecutionError, naming the cell, if any cell fails.
    """
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    return nb, [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def saved_clean(path: Path) -> list[nbformat.NotebookNode]:
    """Assert the notebook is stored valid, for the python3 kernel, without outputs; return its code cells."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    return code
