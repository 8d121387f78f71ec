"""``webleads train`` and ``webleads evaluate``: the researcher's commands.

::

    webleads train segmenter --data ../shared/data/quagga_enron_asf --out models/my-segmenter
    webleads evaluate segmenter --data ../shared/data/quagga_enron_asf --split eval --baseline

Data discipline is built in: ``train`` fits on the ``train`` split of every ``--data``
and chooses its hyperparameters on ``test`` (``--select-split``); it never reads
``eval``.  ``evaluate --write-card`` records the figures of one split in the model's
card, and a later ``evaluate`` says whether it reproduces them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from webleads_core.errors import ConfigError

KINDS = ("segmenter", "tagger")
DATA_HELP = ("annotated mail: a Quagga folder (.ann), a Talon #sig# folder or webleads .jsonl; "
             "repeat to combine")


def configure_train(p: argparse.ArgumentParser) -> None:
    p.description = ("Train the ML segmenter or the signature tagger on annotated mail (the train split), "
                     "choosing hyperparameters on the test split; writes model.joblib and its card meta.json.")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("--data", action="append", required=True, type=Path, metavar="DIR", help=DATA_HELP)
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for model.joblib and meta.json")
    p.add_argument("--name", help="model name in the card (default: the --out folder's name)")
    p.add_argument("--version", default="1", help="model version in the card")
    p.add_argument("--select-split", default="test", choices=("test", "train"),
                   help="split the hyperparameters are chosen on (default test)")
    p.add_argument("--select-folds", type=int, default=0, metavar="K",
                   help="segmenter: choose the hyperparameters by K-fold cross-validation over the train and "
                        "selection splits together, then fit on train (default: score on the selection split)")
    p.add_argument("--no-grid", action="store_true", help="fixed hyperparameters, no search (fast)")
    p.add_argument("--limit", type=int, default=0, help="use only the first N training emails (smoke tests)")
    p.add_argument("--no-synthetic", action="store_true",
                   help="train on the annotated mail only (default: add the seeded synthetic mail of "
                        "webleads_signature.synthetic, see docs/training.md)")


def _load(paths: list[Path], split: str, limit: int = 0) -> list[Any]:
    from .readers import load

    out = []
    for p in paths:
        out.extend(load(p, split))
    return out[:limit] if limit else out


def run_train(args: argparse.Namespace) -> int:
    from . import artifacts
    from .dataset import digest, signature_digest
    from .evaluation import dataset_id, signatures_for_tagging

    t0 = time.perf_counter()
    train_msgs = _load(args.data, "train", args.limit)
    select_msgs = _load(args.data, args.select_split, args.limit)
    if not train_msgs:
        raise ConfigError("no training data: the --data folders have no 'train' split")
    from .readers import detect

    sources = [{"dataset": dataset_id(p), "format": detect(p)} for p in args.data]
    synthetic: list[dict[str, Any]] = []
    if args.kind == "segmenter":
        from . import line_features as LF
        from .synthetic import SEGMENTER_WEIGHT, quoted_replies
        from .train_segmenter import train

        extra = []
        if not args.no_synthetic:
            replies = quoted_replies(train_msgs)
            extra.append((replies, SEGMENTER_WEIGHT))
            synthetic.append({"generator": "quoted_replies", "seed": "default", "emails": len(replies),
                              "weight": SEGMENTER_WEIGHT, "digest": digest(replies),
                              "made_from": "the training emails above (train split only)"})
        if args.select_folds == 1 or args.select_folds < 0:
            raise ConfigError("--select-folds needs at least 2 folds")

        def make_extra(msgs: Any) -> list[tuple[Any, float]]:
            return [] if args.no_synthetic else [(quoted_replies(msgs), SEGMENTER_WEIGHT)]

        payload, report = train(train_msgs, select_msgs, extra=extra, grid=not args.no_grid,
                                folds=args.select_folds, make_extra=make_extra)
        features = {"count": LF.N_FEATURES, "names": list(LF.FEATURE_NAMES),
                    "description": "per non-blank line: shape, layout, sign-off/greeting/title/company vocabularies, "
                                   "phone/email/URL shapes, quoted-header cues, sender name, position from the end; "
                                   "the same for the previous and next line; context of the run"}
        data_digest = digest(train_msgs)
        n_train = {"emails": len(train_msgs), "lines": report["train_lines"],
                   "synthetic_lines": report["synthetic_lines"]}
        summary = {"signature_lines": report["selection"]["signature_lines"],
                   "signature_lines_strict": report["selection"]["signature_lines_strict"],
                   "block_exact": report["selection"]["block_exact"],
                   "zones": report["selection"]["zones"]}
    else:
        from .tagger import FEATURE_NAMES
        from .train_tagger import train

        if args.select_folds:
            raise ConfigError("--select-folds is for the segmenter; the tagger is chosen on the selection split")

        from .synthetic import TAGGER_EMAILS, TAGGER_WEIGHT, business_mail

        tsigs = signatures_for_tagging(train_msgs)
        ssigs = signatures_for_tagging(select_msgs)
        if not tsigs:
            raise ConfigError("no training signatures with fields in the 'train' split")
        extra = []
        if not args.no_synthetic:
            synth = signatures_for_tagging(business_mail(TAGGER_EMAILS))
            extra.append((synth, TAGGER_WEIGHT))
            synthetic.append({"generator": "business_mail", "seed": "default", "signatures": len(synth),
                              "weight": TAGGER_WEIGHT, "digest": signature_digest(synth),
                              "made_from": "templates and the core's vocabularies (no real mail)"})
        payload, report = train(tsigs, ssigs, extra=extra, grid=not args.no_grid)
        features = {"count": len(FEATURE_NAMES), "names": list(FEATURE_NAMES),
                    "description": "per segment of a signature line: title/company-suffix/organisation/street/postcode "
                                   "vocabularies, sender name and domain overlap, legal/motto cues, shape, position, "
                                   "neighbours, and the rule-based tagger's reading"}
        data_digest = signature_digest(tsigs)
        n_train = {"signatures": len(tsigs), "segments": report["train_segments"],
                   "synthetic_segments": report["synthetic_segments"]}
        summary = {"fields": report["selection"]["fields"], "block_exact": report["selection"]["block_exact"]}
    card = {
        "name": args.name or args.out.name,
        "version": args.version,
        "description": f"webleads-signature {args.kind} (linear model applied with numpy)",
        "features": features,
        "training_data": {"sources": sources, "split": "train", "digest": data_digest, **n_train,
                          "limit": args.limit or None, "synthetic": synthetic},
        "hyperparameters": payload["hyperparameters"],
        "selection": ({"split": args.select_split, "grid": report["grid"]} if not report.get("folds") else
                      {"split": f"train+{args.select_split}", "folds": report["folds"],
                       "method": f"{report['folds']}-fold cross-validation over the train and {args.select_split} "
                                 "emails together (email i in fold i mod K); the chosen setting is then fitted "
                                 "on train", "grid": report["grid"]}),
        "metrics": {args.select_split: {"+".join(s["dataset"] for s in sources): summary}},
        "training_seconds": round(time.perf_counter() - t0, 1),
        "data_discipline": "fitted on train (plus synthetic mail made from train or from templates), "
                           + ("hyperparameters chosen on test" if not report.get("folds") else
                              "hyperparameters chosen by cross-validation over train and test")
                           + ", eval figures written only by `webleads evaluate --split eval --write-card`",
    }
    written = artifacts.save(args.out, args.kind, payload, card)
    print(f"wrote {args.out / artifacts.ARTIFACT} (sha256 {written['sha256'][:16]}...) and {artifacts.CARD}")
    print(f"trained on {json.dumps(n_train)} in {card['training_seconds']} s; chosen {json.dumps(payload['hyperparameters'])}")
    if args.kind == "segmenter":
        s = summary["signature_lines"]
        if report.get("folds"):
            print(f"{report['folds']}-fold cross-validation over train+{args.select_split}: "
                  f"signature-line F1={report['cross_validated_f1']:.3f}")
        print(f"{args.select_split}: signature-line P={s['precision']:.3f} R={s['recall']:.3f} F1={s['f1']:.3f}")
    else:
        print(f"{args.select_split}: " + ", ".join(f"{f} F1={r['f1']:.3f}" for f, r in summary["fields"].items()))
    return 0


# -- evaluate ---------------------------------------------------------------------------------


def configure_evaluate(p: argparse.ArgumentParser) -> None:
    p.description = ("Evaluate a segmenter or tagger model on annotated mail: precision, recall and F1 per zone or "
                     "field, signature-line F1, block exact match; writes a JSON and an HTML report.")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("--data", action="append", required=True, type=Path, metavar="DIR", help=DATA_HELP)
    p.add_argument("--model", help="model name or folder (default: the shipped model)")
    p.add_argument("--split", default="test", choices=("train", "test", "eval"), help="split to score (default test)")
    p.add_argument("--report", type=Path, metavar="DIR", help="folder for the JSON and HTML report "
                                                                "(default ./webleads-evaluate)")
    p.add_argument("--baseline", action="store_true", help="also score the rule-based segmenter/tagger")
    p.add_argument("--examples", type=int, default=20, help="error examples in the report (0: none)")
    p.add_argument("--write-card", action="store_true", help="record the figures in the model's card")


def run_evaluate(args: argparse.Namespace) -> int:
    from . import artifacts
    from .evaluation import (dataset_id, evaluate_segmenter, evaluate_tagger, segmenter_lines,
                             signatures_for_tagging, tagger_lines, write_report)

    name = args.model or ("webleads-segmenter" if args.kind == "segmenter" else "webleads-tagger")
    payload, card, folder = artifacts.load(name, args.kind)
    datasets = "+".join(dataset_id(p) for p in args.data)
    msgs = _load(args.data, args.split)
    if not msgs:
        raise ConfigError(f"no '{args.split}' split in the --data folders")
    results: dict[str, Any] = {}
    t0 = time.perf_counter()
    if args.kind == "segmenter":
        from .segmenter import SegmenterModel

        model = SegmenterModel(payload, card)
        results["model"] = evaluate_segmenter(model.zones, msgs, args.examples)
        if args.baseline:
            from webleads_core.segment import segment

            results["rules"] = evaluate_segmenter(segment, msgs, args.examples)
        lines_of = segmenter_lines
        headline = {k: results["model"][k] for k in ("signature_lines", "signature_lines_strict", "block_exact",
                                                     "newest_end", "zones", "data_digest", "emails")}
    else:
        from webleads_core.default_plugins.signature_rules import tag_signature

        from .tagger import TaggerModel

        model = TaggerModel(payload, card)
        sigs = signatures_for_tagging(msgs)
        if not sigs:
            raise ConfigError(f"no signature blocks with fields in the '{args.split}' split")
        results["model"] = evaluate_tagger(
            lambda s: model.tag(s.text, author_name=s.author_name, author_email=s.author_email), sigs, args.examples)
        if args.baseline:
            results["rules"] = evaluate_tagger(
                lambda s: tag_signature(s.text, author_name=s.author_name, author_email=s.author_email),
                sigs, args.examples)
        lines_of = tagger_lines
        headline = {k: results["model"][k] for k in ("fields", "block_exact", "data_digest", "blocks")}
    seconds = time.perf_counter() - t0
    print(f"model {card.get('name')} {card.get('version')} ({folder}) on {datasets}, split {args.split}")
    for label, res in results.items():
        print("\n".join(lines_of(res, label)))
    recorded = card.get("metrics", {}).get(args.split, {}).get(datasets)
    if recorded is not None and "data_digest" in recorded:
        same = _same_figures(recorded, headline)
        print(f"card: {'reproduced' if same else 'DIFFERENT from'} the figures recorded for {datasets} / {args.split}")
    report = {"model": f"{card.get('name')} {card.get('version')}", "sha256": card.get("sha256"),
              "dataset": datasets, "split": args.split, "seconds": round(seconds, 2), "results": results}
    jpath, hpath = write_report(args.report or Path("webleads-evaluate"), args.kind, report)
    print(f"report: {jpath} and {hpath}")
    if args.write_card:
        card.setdefault("metrics", {}).setdefault(args.split, {})[datasets] = headline
        artifacts.write_card(folder, card)
        print(f"card: figures for {datasets} / {args.split} written to {folder / artifacts.CARD}")
    return 0


def _same_figures(a: Any, b: Any, tol: float = 1e-4) -> bool:
    """Recorded and new figures equal (floats within ``tol``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_figures(a[k], b[k], tol) for k in a)
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= tol
    return a == b


def main_train(argv: list[str] | None = None) -> int:  # pragma: no cover - convenience for python -m
    p = argparse.ArgumentParser(prog="webleads train")
    configure_train(p)
    return run_train(p.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main_train())
