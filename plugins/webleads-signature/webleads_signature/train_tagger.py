"""Training the tagger: segments of gold signature blocks labelled by the annotated
field spans, a multinomial logistic regression, and a small grid (regularisation,
decision threshold) chosen on the selection split.  Deterministic (lbfgs, file order,
seeded synthetic data)."""

from __future__ import annotations

import time
from typing import Any, Sequence

import numpy as np

from .dataset import LabelledSignature
from .metrics import FieldScore, annotated_fields
from .tagger import CLASSES, FEATURE_NAMES, TaggerModel, gold_segment_labels, prepare

GRID_C = (0.3, 1.0, 3.0)
GRID_THRESHOLD = (0.35, 0.5)


def gold_values(sig: LabelledSignature) -> list[tuple[str, str, str | None]]:
    return [(f.field, f.value, f.subtype) for f in sig.fields]


def matrix(sigs: Sequence[LabelledSignature], weight: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs, ys = [], []
    for s in sigs:
        if not s.fields:
            continue
        prep = prepare(s.text, s.author_name, s.author_email)
        if not prep.segments:
            continue
        xs.append(prep.features)
        ys.extend(gold_segment_labels(prep, s.fields))
    if not xs:
        return np.zeros((0, len(FEATURE_NAMES)), np.float32), np.zeros(0, int), np.zeros(0)
    return np.vstack(xs), np.asarray(ys), np.full(len(ys), weight)


def fit(X: np.ndarray, y: np.ndarray, w: np.ndarray, C: float, threshold: float) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    k = len(CLASSES)
    clf = LogisticRegression(C=C, max_iter=1000, tol=1e-4)
    clf.fit(X, y, sample_weight=w)
    coef = np.zeros((X.shape[1], k), dtype=np.float32)
    intercept = np.full(k, -30.0, dtype=np.float32)
    for j, c in enumerate(clf.classes_):
        coef[:, c] = clf.coef_[j]
        intercept[c] = clf.intercept_[j]
    return {"classes": list(CLASSES), "features": list(FEATURE_NAMES), "coef": coef, "intercept": intercept,
            "threshold": threshold, "hyperparameters": {"C": C, "threshold": threshold}}


def score(model: Any, sigs: Sequence[LabelledSignature]) -> dict[str, Any]:
    acc = FieldScore(annotated_fields(sigs))
    for s in sigs:
        if not s.fields:
            continue
        pred = model.tag(s.text, author_name=s.author_name, author_email=s.author_email)
        acc.add(gold_values(s), [(v.field, v.value, v.subtype) for v in pred])
    return acc.result()


def selection_key(res: dict[str, Any]) -> float:
    f = res["fields"]
    return sum(f.get(k, {}).get("f1", 0.0) for k in ("name", "title", "company", "address", "phone+type")) / 5


def train(train_sigs: Sequence[LabelledSignature], select_sigs: Sequence[LabelledSignature],
          extra: Sequence[tuple[Sequence[LabelledSignature], float]] = (), grid: bool = True
          ) -> tuple[dict[str, Any], dict[str, Any]]:
    t0 = time.perf_counter()
    parts = [matrix(train_sigs)] + [matrix(s, w) for s, w in extra]
    X = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    w = np.concatenate([p[2] for p in parts])
    combos = [(c, t) for c in GRID_C for t in GRID_THRESHOLD] if grid else [(1.0, 0.5)]
    best = None
    tried = []
    fitted: dict[float, dict[str, Any]] = {}
    for C, th in combos:
        if C not in fitted:
            fitted[C] = fit(X, y, w, C, th)
        payload = dict(fitted[C], threshold=th, hyperparameters={"C": C, "threshold": th})
        res = score(TaggerModel(payload), select_sigs)
        key = selection_key(res)
        tried.append({"C": C, "threshold": th, "key": round(key, 4)})
        if best is None or key > best[0] + 1e-9:
            best = (key, payload, res)
    assert best is not None
    return best[1], {"train_segments": int(len(parts[0][1])), "synthetic_segments": int(len(y) - len(parts[0][1])),
                     "class_counts": np.bincount(y, minlength=len(CLASSES)).tolist(),
                     "seconds": round(time.perf_counter() - t0, 2), "grid": tried,
                     "chosen": best[1]["hyperparameters"], "selection": best[2]}
