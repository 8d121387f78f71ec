"""Shipped models: found by name, checked by sha256, rules as the fallback (one warning)."""

from __future__ import annotations

import json
import logging
import shutil

import pytest

from webleads_core.records import HeaderContact, ParsedMessage
from webleads_signature import artifacts
from webleads_signature.artifacts import ModelError
from webleads_signature.extractor import SignatureTagger
from webleads_signature.segmenter import MLSegmenter

MESSAGE = ParsedMessage(contacts=(HeaderContact(email="jane@northwind.example", name="Jane Doe"),),
                        text="Hello,\n\nsee attached.\n\nBest regards,\nJane Doe\nHead of Operations\n"
                             "Northwind Logistics Ltd\nTel: +44 20 7946 0958\n")


@pytest.mark.parametrize("name,kind", [("webleads-segmenter", "segmenter"), ("webleads-tagger", "tagger")])
def test_shipped_models_have_a_full_card(name, kind):
    payload, card, folder = artifacts.load(name, kind)
    for key in ("version", "scikit_learn", "features", "training_data", "metrics", "sha256"):
        assert key in card, key
    assert card["sha256"] == artifacts.sha256_file(folder / "model.joblib")
    assert card["training_data"]["digest"] and card["training_data"]["split"] == "train"
    assert "eval" in card["metrics"], "the card must state the eval figures"
    assert card["features"]["count"] == len(card["features"]["names"])


def _copy(tmp_path, name):
    _, _, folder = artifacts.load(name, "segmenter" if "segmenter" in name else "tagger")
    dest = tmp_path / name
    shutil.copytree(folder, dest)
    return dest


def test_a_tampered_artifact_is_never_unpickled(tmp_path, monkeypatch):
    dest = _copy(tmp_path, "webleads-segmenter")
    data = bytearray((dest / "model.joblib").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (dest / "model.joblib").write_bytes(bytes(data))
    import joblib

    called = []
    monkeypatch.setattr(joblib, "load", lambda *a, **k: called.append(a))
    with pytest.raises(ModelError) as err:
        artifacts.load(dest, "segmenter")
    assert err.value.reason == "model.checksum" and not called


def test_a_card_of_another_kind_is_refused(tmp_path):
    dest = _copy(tmp_path, "webleads-tagger")
    with pytest.raises(ModelError):
        artifacts.load(dest, "segmenter")


def test_missing_model_falls_back_to_rules_with_one_warning(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="webleads")
    seg = MLSegmenter(str(tmp_path / "nowhere"))
    zones1 = seg.segment(MESSAGE)
    zones2 = seg.segment(MESSAGE)
    from webleads_core.segment import segment

    assert zones1 == zones2 == segment(MESSAGE.text, MESSAGE.sender)
    warnings = [r for r in caplog.records if "segmenter model unavailable" in r.getMessage()]
    assert len(warnings) == 1
    assert "Jane" not in caplog.text  # no personal data in the log


def test_mismatching_tagger_falls_back_to_rules(tmp_path, caplog):
    dest = _copy(tmp_path, "webleads-tagger")
    card = json.loads((dest / "meta.json").read_text())
    card["sha256"] = "0" * 64
    (dest / "meta.json").write_text(json.dumps(card))
    caplog.set_level(logging.WARNING, logger="webleads")
    tagger = SignatureTagger(str(dest))
    values = tagger.tag("Jane Doe\nHead of Operations\nTel: +44 20 7946 0958", None)
    tagger.tag("Jane Doe", None)
    assert tagger.version.endswith("rules-fallback")
    assert any(v.field == "phone" for v in values)
    assert len([r for r in caplog.records if "tagger model unavailable" in r.getMessage()]) == 1


def test_models_found_on_the_model_path(tmp_path, monkeypatch):
    _copy(tmp_path, "webleads-segmenter")
    monkeypatch.setenv(artifacts.PATH_ENV, str(tmp_path))
    assert artifacts.resolve("webleads-segmenter") == tmp_path / "webleads-segmenter"
    with pytest.raises(ModelError):
        artifacts.resolve("no-such-model")
