"""Running a model (or the rule-based baseline) over a labelled split, and the report.

The report is a JSON file with every figure of :mod:`.metrics`, and an HTML page with
the same tables, the zone confusion matrix and error examples.  Error examples quote
the evaluated mail: keep the report private when the data is (your own mailbox).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Callable, Sequence

from webleads_core.records import HeaderContact

from .dataset import CLASSES, LabelledMessage, LabelledSignature, digest, signature_digest
from .metrics import FieldScore, SegmentationScore, annotated_fields
from .readers import detect


def dataset_id(path: Path) -> str:
    """A name for a data folder that does not depend on where it lies."""
    fmt = detect(path)
    if fmt == "quagga" and (path / "enron_annotated").is_dir():
        return "quagga/enron_annotated"
    return f"{fmt}/{path.name}"


def sender_of(m: LabelledMessage) -> HeaderContact | None:
    if not (m.sender_name or m.sender_email):
        return None
    return HeaderContact(email=m.sender_email or "", name=m.sender_name)


def signatures_for_tagging(messages: Sequence[LabelledMessage]) -> list[LabelledSignature]:
    """Gold blocks with at least one field, each (text, author) once."""
    seen = set()
    out = []
    for m in messages:
        for s in m.signatures:
            key = (s.text, s.author_name, s.author_email)
            if not s.fields or key in seen:
                continue
            seen.add(key)
            out.append(s)
    return out


def evaluate_segmenter(segment: Callable[[str, HeaderContact | None], Any], messages: Sequence[LabelledMessage],
                       examples: int = 20) -> dict[str, Any]:
    acc = SegmentationScore()
    shown = []
    for m in messages:
        zones = segment(m.text, sender_of(m))
        view = acc.add(m.labels, m.newest_end, zones, m.partial, m.signature_lines)
        if not view["ok"] and len(shown) < examples:
            lines = m.lines
            rows = []
            for i, line in enumerate(lines[: max(m.newest_end, 1) + 2]):
                if not line.strip():
                    continue
                p = view["pred"][i]
                rows.append({"line": i, "gold": (m.labels[i] or "") + ("*" if i in m.signature_lines else ""),
                             "pred": f"{p[0]}/{p[1]}" if p else "", "text": line[:160],
                             "wrong": (i in view["gold_sig"]) != (i in view["pred_sig"])})
            shown.append({"id": m.id, "lines": rows})
    res = acc.result()
    res["data_digest"] = digest(messages)
    res["examples"] = shown
    return res


def evaluate_tagger(tag: Callable[[LabelledSignature], list[Any]], sigs: Sequence[LabelledSignature],
                    examples: int = 20) -> dict[str, Any]:
    acc = FieldScore(annotated_fields(sigs))
    shown = []
    for s in sigs:
        pred = tag(s)
        errors = acc.add([(f.field, f.value, f.subtype) for f in s.fields], [(v.field, v.value, v.subtype) for v in pred])
        if errors and len(shown) < examples:
            shown.append({"id": s.id, "text": s.text[:1200],
                          "errors": [{"field": f, "missed": mi, "extra": ex} for f, mi, ex in errors]})
    res = acc.result()
    res["data_digest"] = signature_digest(sigs)
    res["examples"] = shown
    return res


# -- printing -----------------------------------------------------------------------------


def segmenter_lines(res: dict[str, Any], label: str) -> list[str]:
    out = [f"{label}: {res['emails']} emails"]
    s = res["signature_lines"]
    out.append(f"  signature-line        P={s['precision']:.3f} R={s['recall']:.3f} F1={s['f1']:.3f}  "
               f"(tp={s['tp']} fp={s['fp']} fn={s['fn']})")
    iv = res.get("signature_lines_interval")
    if iv:
        out.append(f"  signature-line F1 {iv['level']:.0%} interval [{iv['low']:.3f}, {iv['high']:.3f}] "
                   f"(bootstrap over the emails, {iv['resamples']} resamples)")
    s = res["signature_lines_strict"]
    out.append(f"  signature-line strict P={s['precision']:.3f} R={s['recall']:.3f} F1={s['f1']:.3f}")
    be = res["block_exact"]
    out.append(f"  block exact match     {be if be is None else format(be, '.3f')} "
               f"(of {res['block_exact_emails']} emails with a signature; {res['block_exact_all']:.3f} of all)")
    out.append(f"  newest message end    {res['newest_end']:.3f}")
    out.append("  zone          P      R      F1    gold")
    for z, r in res["zones"].items():
        out.append(f"  {z:11} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} {r['tp'] + r['fn']:6d}")
    return out


def tagger_lines(res: dict[str, Any], label: str) -> list[str]:
    out = [f"{label}: {res['blocks']} signature blocks, block exact {res['block_exact'] or 0:.3f}",
           "  field          P      R      F1   loose-F1  gold"]
    for f, r in res["fields"].items():
        out.append(f"  {f:11} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} {r['loose_f1']:8.3f} "
                   f"{r['tp'] + r['fn']:5d}")
    return out


# -- report files ---------------------------------------------------------------------------


def write_report(folder: Path, kind: str, report: dict[str, Any]) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    jpath = folder / f"{kind}-report.json"
    jpath.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    hpath = folder / f"{kind}-report.html"
    hpath.write_text(render_html(kind, report), encoding="utf-8")
    return jpath, hpath


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    h = "".join(f"<th>{html.escape(str(x))}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(x))}</td>" for x in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


def render_html(kind: str, report: dict[str, Any]) -> str:
    parts = [f"<h1>webleads evaluate {html.escape(kind)}</h1>",
             "<p>" + html.escape(f"model {report.get('model')} on {report.get('dataset')} ({report.get('split')})") + "</p>",
             "<p><em>Error examples quote the evaluated mail.</em></p>"]
    for label, res in report.get("results", {}).items():
        parts.append(f"<h2>{html.escape(label)}</h2>")
        if kind == "segmenter":
            s, st = res["signature_lines"], res["signature_lines_strict"]
            parts.append(_table(("figure", "precision", "recall", "F1"), [
                ("signature lines", s["precision"], s["recall"], s["f1"]),
                ("signature lines (strict)", st["precision"], st["recall"], st["f1"])]))
            parts.append(f"<p>block exact match: {res['block_exact']}; newest message end: {res['newest_end']}</p>")
            parts.append(_table(("zone", "precision", "recall", "F1", "gold lines"),
                                [(z, r["precision"], r["recall"], r["f1"], r["tp"] + r["fn"])
                                 for z, r in res["zones"].items()]))
            conf = res["confusion"]
            parts.append("<h3>Confusion matrix (gold rows, predicted columns, lines)</h3>")
            parts.append(_table(("gold \\ predicted",) + CLASSES,
                                [(g,) + tuple(conf.get(f"{g}->{p}", 0) for p in CLASSES) for g in CLASSES]))
            parts.append("<h3>Emails with signature-line errors</h3>")
            for ex in res.get("examples", []):
                parts.append(f"<h4>{html.escape(ex['id'])}</h4>")
                parts.append(_table(("line", "gold", "predicted", "text"),
                                    [(("! " if r["wrong"] else "") + str(r["line"]), r["gold"], r["pred"], r["text"])
                                     for r in ex["lines"]]))
        else:
            parts.append(f"<p>blocks: {res['blocks']}; block exact: {res['block_exact']}</p>")
            parts.append(_table(("field", "precision", "recall", "F1", "loose F1", "gold"),
                                [(f, r["precision"], r["recall"], r["f1"], r["loose_f1"], r["tp"] + r["fn"])
                                 for f, r in res["fields"].items()]))
            parts.append("<h3>Per-field error examples</h3>")
            for ex in res.get("examples", []):
                parts.append(f"<h4>{html.escape(ex['id'])}</h4><pre>{html.escape(ex['text'])}</pre>")
                parts.append(_table(("field", "missed", "extra"),
                                    [(e["field"], "; ".join(e["missed"]), "; ".join(e["extra"])) for e in ex["errors"]]))
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:.5em 0}"
             "td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%}pre{background:#f6f6f6;padding:.5em}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>webleads evaluate {html.escape(kind)}</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")
