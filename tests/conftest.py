import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").rglob("*.wd"))


@pytest.fixture(autouse=True)
def _run_from_repository_root(monkeypatch):
    # Tests name files relative to the repository, as a user in a clone would.
    monkeypatch.chdir(ROOT)
