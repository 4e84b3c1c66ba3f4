"""Fixtures shared by every test: a chronicle on real SQLite files in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.loader import load_chronicle

ROOT = Path(__file__).resolve().parent.parent
KAZAKHSTAN = ROOT / "fixtures" / "kazakhstan-2022"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", editor="test-editor")


@pytest.fixture
def chronicle(settings: Settings):
    app = open_chronicle(settings)
    yield app
    app.view.close()
    app.close()


@pytest.fixture
def kazakhstan(chronicle):
    """The chronicle with the Kazakhstan fixture loaded."""
    with chronicle.editing_as("fixture-loader"):
        load_chronicle(chronicle, KAZAKHSTAN)
    return chronicle
