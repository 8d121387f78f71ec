"""``webleads train`` and ``webleads evaluate`` through the real CLI."""

from __future__ import annotations

import json

from webleads_core.testing.helpers import run_cli


def test_train_a_small_model_then_evaluate_it(quagga, tmp_path):
    out = tmp_path / "tiny-segmenter"
    r = run_cli("train", "segmenter", "--data", str(quagga), "--out", str(out), "--limit", "60", "--no-grid")
    assert r.returncode == 0, r.stderr
    card = json.loads((out / "meta.json").read_text())
    assert card["kind"] == "segmenter" and card["training_data"]["emails"] == 60
    assert card["metrics"]["test"]["quagga/enron_annotated"]["signature_lines"]["f1"] > 0.3
    (synth,) = card["training_data"]["synthetic"]
    assert synth["generator"] == "quoted_replies" and synth["emails"] > 0 and synth["digest"]
    again = tmp_path / "again"
    assert run_cli("train", "segmenter", "--data", str(quagga), "--out", str(again), "--limit", "60",
                   "--no-grid").returncode == 0
    assert json.loads((again / "meta.json").read_text())["sha256"] == card["sha256"], "training is deterministic"
    r = run_cli("evaluate", "segmenter", "--data", str(quagga), "--model", str(out), "--split", "test",
                "--report", str(tmp_path / "rep"), "--write-card")
    assert r.returncode == 0, r.stderr
    assert "signature-line" in r.stdout and "zone" in r.stdout
    rep = json.loads((tmp_path / "rep" / "segmenter-report.json").read_text())
    assert rep["results"]["model"]["confusion"]
    html = (tmp_path / "rep" / "segmenter-report.html").read_text()
    assert "Confusion matrix" in html
    r = run_cli("evaluate", "segmenter", "--data", str(quagga), "--model", str(out), "--split", "test",
                "--report", str(tmp_path / "rep2"))
    assert "card: reproduced" in r.stdout


def test_train_and_evaluate_a_tagger(quagga, tmp_path):
    out = tmp_path / "tiny-tagger"
    r = run_cli("train", "tagger", "--data", str(quagga), "--out", str(out), "--limit", "200", "--no-grid",
                "--no-synthetic")
    assert r.returncode == 0, r.stderr
    card = json.loads((out / "meta.json").read_text())
    assert card["training_data"]["synthetic"] == [] and card["training_data"]["synthetic_segments"] == 0
    r = run_cli("evaluate", "tagger", "--data", str(quagga), "--model", str(out), "--baseline",
                "--report", str(tmp_path / "rep"))
    assert r.returncode == 0, r.stderr
    assert "phone+type" in r.stdout and "rules:" in r.stdout
    assert "Per-field error examples" in (tmp_path / "rep" / "tagger-report.html").read_text()


def test_shipped_cards_are_reproduced_on_eval(quagga, tmp_path):
    for kind in ("segmenter", "tagger"):
        r = run_cli("evaluate", kind, "--data", str(quagga), "--split", "eval", "--report", str(tmp_path / kind))
        assert r.returncode == 0, r.stderr
        assert "card: reproduced the figures recorded for quagga/enron_annotated / eval" in r.stdout, r.stdout


def test_user_errors_are_one_line(tmp_path):
    r = run_cli("evaluate", "segmenter", "--data", str(tmp_path))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no annotated mail" in r.stderr
    r = run_cli("evaluate", "segmenter", "--data", str(tmp_path), "--model", str(tmp_path / "none"))
    assert r.returncode == 2


def test_hyperparameters_chosen_by_cross_validation(quagga, tmp_path):
    out = tmp_path / "cv-segmenter"
    r = run_cli("train", "segmenter", "--data", str(quagga), "--out", str(out), "--limit", "40",
                "--select-folds", "2")
    assert r.returncode == 0, r.stderr
    assert "2-fold cross-validation over train+test" in r.stdout
    card = json.loads((out / "meta.json").read_text())
    sel = card["selection"]
    assert sel["folds"] == 2 and sel["split"] == "train+test" and len(sel["grid"]) == 18
    top = max(sel["grid"], key=lambda g: g["key"])
    assert card["hyperparameters"] == {k: top[k] for k in ("C", "prior_weight", "trans_weight")}
    assert len({g["signature_lines_f1"] for g in sel["grid"]}) > 1, "the settings were really scored"
    assert card["training_data"]["split"] == "train" and "test" in card["metrics"]
    assert "cross-validation" in card["data_discipline"]
    r = run_cli("train", "tagger", "--data", str(quagga), "--out", str(tmp_path / "t"), "--limit", "40",
                "--select-folds", "2")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "segmenter" in r.stderr


def test_cross_validation_makes_synthetic_mail_from_the_fold_training_emails_only(quagga):
    from webleads_signature.readers import load
    from webleads_signature.train_segmenter import grid_by_folds

    train, select = load(quagga, "train")[:12], load(quagga, "test")[:6]
    pool = train + select
    seen = []

    def spy(msgs):
        seen.append({m.id for m in msgs})
        return []

    grid = grid_by_folds(train, select, spy, 3, [(1.0, 0.3, 0.5)])
    assert len(grid) == 1 and 0.0 <= grid[0]["signature_lines_f1"] <= 1.0
    assert len(seen) == 3
    train_ids = {m.id for m in train}
    for f, ids in enumerate(seen):
        held = {m.id for i, m in enumerate(pool) if i % 3 == f}
        assert ids and not ids & held and ids <= train_ids


def test_bootstrap_interval_of_signature_line_f1():
    from webleads_signature.metrics import bootstrap_f1, prf

    assert bootstrap_f1([]) is None
    rows = [(5, 1, 0), (0, 3, 0), (4, 0, 1), (0, 0, 0), (6, 0, 0), (3, 2, 2)] * 2
    iv = bootstrap_f1(rows)
    assert iv == bootstrap_f1(rows), "seeded: the same interval every time"
    point = prf(*[sum(r[k] for r in rows) for k in range(3)])["f1"]
    assert 0.0 <= iv["low"] < point < iv["high"] <= 1.0
    wide = iv["high"] - iv["low"]
    many = bootstrap_f1(rows * 20)  # the same mail, twenty times as much of it
    assert many["high"] - many["low"] < wide / 2
    assert bootstrap_f1([(3, 0, 0)] * 5) == {"level": 0.95, "resamples": 2000, "low": 1.0, "high": 1.0}
