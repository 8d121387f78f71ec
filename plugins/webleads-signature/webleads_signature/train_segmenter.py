"""Training the segmenter: features, a multinomial logistic regression, transition counts,
and a small grid chosen on the selection split.

Deterministic: the solver (lbfgs) has no randomness, the data is read in file order,
synthetic data comes from a seeded generator, and the grid is walked in a fixed order
(ties keep the first).  The whole Quagga ``train`` split trains in well under a minute
on one core.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Sequence

import numpy as np

from webleads_core.records import HeaderContact

from . import line_features as LF
from .dataset import CLASSES, LabelledMessage
from .decode import transition_table
from .metrics import SegmentationScore
from .segmenter import SegmenterModel

log = logging.getLogger("webleads.signature")

_ATTACHMENT = LF.FEATURE_NAMES.index("attachment")

#: The grid walked on the selection split (inverse regularisation, prior division,
#: transition weight).
GRID_C = (0.3, 1.0, 3.0)
GRID_PRIOR = (0.0, 0.3, 0.5)
GRID_TRANS = (0.5, 1.0)


def sender_of(m: LabelledMessage) -> HeaderContact | None:
    if not (m.sender_name or m.sender_email):
        return None
    return HeaderContact(email=m.sender_email or "", name=m.sender_name)


def matrix(messages: Sequence[LabelledMessage], weight: float = 1.0
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[list[tuple[int, bool, bool]]]]:
    """Features, class indices and sample weights of every labelled line, plus the class
    sequences (for the transitions): per decoded row ``(class, blank line before, quote
    depth changed)``, class -1 where a line's class is unknown."""
    ix = {c: i for i, c in enumerate(CLASSES)}
    xs, ys, ws, seqs = [], [], [], []
    for m in messages:
        snd = sender_of(m)
        s = LF.Sender(snd.name, snd.email) if snd is not None else None
        lines = [x[:-1] if x.endswith("\r") else x for x in m.text.split("\n")]
        X, index, depths, _ = LF.message_features(lines, s if s else None)
        keep, seq = [], []
        attach = X[:, _ATTACHMENT] > 0
        last = None
        for k, i in enumerate(index):
            lab = m.labels[i] if i < len(m.labels) else None
            c = ix.get(lab, -1) if lab is not None else -1
            if not attach[k]:  # decoding leaves attachment markers out of the sequence
                seq.append((c, last is not None and i - index[last] > 1, last is not None and depths[k] != depths[last]))
                last = k
            if c >= 0:
                keep.append(k)
                ys.append(c)
        if keep:
            xs.append(X[keep])
            ws.extend([weight] * len(keep))
        seqs.append(seq)
    if not xs:
        return np.zeros((0, LF.N_FEATURES), np.float32), np.zeros(0, int), np.zeros(0), seqs
    return np.vstack(xs), np.asarray(ys), np.asarray(ws, dtype=np.float64), seqs


def fit(X: np.ndarray, y: np.ndarray, w: np.ndarray, seqs: list[list[tuple[int, bool, bool]]], C: float,
        prior_weight: float, trans_weight: float) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    k = len(CLASSES)
    clf = LogisticRegression(C=C, max_iter=500, tol=1e-4)
    clf.fit(X, y, sample_weight=w)
    coef = np.zeros((X.shape[1], k), dtype=np.float32)
    intercept = np.full(k, -30.0, dtype=np.float32)  # classes absent from the data never win
    for j, c in enumerate(clf.classes_):
        coef[:, c] = clf.coef_[j]
        intercept[c] = clf.intercept_[j]
    counts = np.bincount(y, weights=w, minlength=k) + 1.0
    trans, trans_blank, start = transition_table(seqs, k)
    return {
        "classes": list(CLASSES),
        "features": list(LF.FEATURE_NAMES),
        "coef": coef,
        "intercept": intercept,
        "log_prior": np.log(counts / counts.sum()).astype(np.float32),
        "prior_weight": prior_weight,
        "trans_weight": trans_weight,
        "trans": trans,
        "trans_blank": trans_blank,
        "start": start,
        "hyperparameters": {"C": C, "prior_weight": prior_weight, "trans_weight": trans_weight},
    }


def score(model: SegmenterModel, messages: Sequence[LabelledMessage]) -> dict[str, Any]:
    acc = SegmentationScore()
    for m in messages:
        zones = model.zones(m.text, sender_of(m))
        acc.add(m.labels, m.newest_end, zones, m.partial, m.signature_lines)
    return acc.result()


def selection_key(res: dict[str, Any]) -> float:
    """What the grid maximises: signature-line F1, then (a little) the mean zone F1."""
    zones = [v["f1"] for v in res["zones"].values()]
    return res["signature_lines"]["f1"] + 0.1 * (sum(zones) / len(zones) if zones else 0.0)


Extra = Sequence[tuple[Sequence[LabelledMessage], float]]


def _stack(train_msgs: Sequence[LabelledMessage], extra: Extra):
    parts = [matrix(train_msgs)] + [matrix(ms, w) for ms, w in extra]
    X = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    w = np.concatenate([p[2] for p in parts])
    seqs = [s for p in parts[:1] for s in p[3]]  # transitions from real mail only
    return X, y, w, seqs, int(len(parts[0][1]))


def grid_by_folds(train_msgs: Sequence[LabelledMessage], select_msgs: Sequence[LabelledMessage],
                  make_extra: Callable[[Sequence[LabelledMessage]], Extra] | None, folds: int,
                  combos: Sequence[tuple[float, float, float]]) -> list[dict[str, Any]]:
    """Every hyperparameter combination scored by ``folds``-fold cross-validation over the
    training and selection emails together (email ``i`` in fold ``i % folds``).

    Why: a selection split of a few hundred emails holds a few dozen signatures, so one
    block read either way moves its F1 by a point or more; cross-validation scores each
    setting on every email of both splits.  Each fold's synthetic mail (``make_extra``) is
    made from that fold's training emails of the training split only, as for the final
    model.  The scores are summed over the folds before F1 is taken."""
    pool = list(train_msgs) + list(select_msgs)
    train_ids = {m.id for m in train_msgs}
    scores = {c: SegmentationScore() for c in combos}
    for f in range(folds):
        part = [m for i, m in enumerate(pool) if i % folds != f]
        held = [m for i, m in enumerate(pool) if i % folds == f]
        extra = make_extra([m for m in part if m.id in train_ids]) if make_extra else ()
        X, y, w, seqs, _ = _stack(part, extra)
        fitted: dict[float, dict[str, Any]] = {}
        for C, pw, tw in combos:
            if C not in fitted:
                fitted[C] = fit(X, y, w, seqs, C, pw, tw)
            model = SegmenterModel(dict(fitted[C], prior_weight=pw, trans_weight=tw))
            acc = scores[(C, pw, tw)]
            for m in held:
                acc.add(m.labels, m.newest_end, model.zones(m.text, sender_of(m)), m.partial, m.signature_lines)
    out = []
    for (C, pw, tw), acc in scores.items():
        res = acc.result()
        out.append({"C": C, "prior_weight": pw, "trans_weight": tw,
                    "signature_lines_f1": res["signature_lines"]["f1"], "key": round(selection_key(res), 4)})
    return out


def train(train_msgs: Sequence[LabelledMessage], select_msgs: Sequence[LabelledMessage],
          extra: Extra = (), grid: bool = True, folds: int = 0,
          make_extra: Callable[[Sequence[LabelledMessage]], Extra] | None = None
          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit on ``train_msgs`` (plus weighted ``extra`` sets, e.g. synthetic mail), choose the
    hyperparameters on ``select_msgs`` (or, with ``folds``, by cross-validation over both:
    :func:`grid_by_folds`); returns ``(payload, report)``.  The report's ``selection`` is
    the chosen model's score on ``select_msgs`` either way."""
    t0 = time.perf_counter()
    X, y, w, seqs, n_real = _stack(train_msgs, extra)
    t_feat = time.perf_counter() - t0
    combos = [(c, p, t) for c in GRID_C for p in GRID_PRIOR for t in GRID_TRANS] if grid else [(1.0, 0.3, 0.5)]
    cv_grid: list[dict[str, Any]] | None = None
    top: dict[str, Any] = {}
    if folds > 1 and len(combos) > 1:
        cv_grid = grid_by_folds(train_msgs, select_msgs, make_extra, folds, combos)
        top = max(cv_grid, key=lambda g: g["key"])  # ties: the first in grid order
        combos = [(top["C"], top["prior_weight"], top["trans_weight"])]
    best: tuple[float, dict[str, Any], dict[str, Any]] | None = None
    tried = []
    fitted: dict[float, dict[str, Any]] = {}
    for C, pw, tw in combos:
        if C not in fitted:
            fitted[C] = fit(X, y, w, seqs, C, pw, tw)
        payload = dict(fitted[C], prior_weight=pw, trans_weight=tw,
                       hyperparameters={"C": C, "prior_weight": pw, "trans_weight": tw})
        res = score(SegmenterModel(payload), select_msgs) if select_msgs else {"signature_lines": {"f1": 0.0}, "zones": {}}
        key = selection_key(res)
        tried.append({"C": C, "prior_weight": pw, "trans_weight": tw, "signature_lines_f1": res["signature_lines"]["f1"],
                      "key": round(key, 4)})
        if best is None or key > best[0] + 1e-9:
            best = (key, payload, res)
    assert best is not None
    report = {
        "train_lines": n_real,
        "synthetic_lines": int(len(y) - n_real),
        "feature_seconds": round(t_feat, 2),
        "seconds": round(time.perf_counter() - t0, 2),
        "grid": cv_grid if cv_grid is not None else tried,
        "folds": folds if cv_grid is not None else 0,
        "cross_validated_f1": top["signature_lines_f1"] if cv_grid is not None else None,
        "chosen": best[1]["hyperparameters"],
        "selection": best[2],
    }
    return best[1], report
