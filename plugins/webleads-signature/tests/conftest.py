"""Shared fixtures of the webleads-signature tests: the shipped models and the data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT.parent / "shared" / "data"
QUAGGA = DATA / "quagga_enron_asf"


@pytest.fixture(scope="session")
def segmenter_model():
    from webleads_signature import load_segmenter

    return load_segmenter()


@pytest.fixture(scope="session")
def tagger_model():
    from webleads_signature import load_tagger

    return load_tagger()


@pytest.fixture(scope="session")
def quagga() -> Path:
    assert QUAGGA.is_dir(), f"the shared data must be beside the repository: {QUAGGA}"
    return QUAGGA
