"""Viterbi decoding of line classes into coherent zones.

A line classifier alone labels each line in isolation: a signature line in the middle
of the body, a body line between two signature lines.  Decoding picks the best
*sequence* instead, under the grammar of a message:

* a greeting can only open a message (after a header block or at the top);
* a signature is contiguous and closes the text of its message: after a signature or
  a disclaimer only more signature, disclaimer, or the header block of the next
  (quoted) message may follow;
* a header block opens a new message, where everything is allowed again; so does a
  change of quote depth (``>`` levels).

Transitions are counted twice: between adjacent lines, and across a blank line.  Blocks
mostly change at a blank line, so a name line that opens a paragraph above a title is
read with the title that follows it, not with the text above it.

The score of a sequence is the sum of the classifier's log-probabilities (divided by
the class prior, as in hybrid HMM/neural models: the classifier gives P(class | line),
the chain wants P(line | class)) and of log transition probabilities counted on the
training data.  The cost is O(lines x classes^2) with 6 classes.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

NEG = -1e9


def forbidden_mask(classes: Sequence[str]) -> np.ndarray:
    """Transitions the grammar never allows inside one message (True = forbidden)."""
    k = len(classes)
    ix = {c: i for i, c in enumerate(classes)}
    mask = np.zeros((k, k), dtype=bool)
    for closing in ("signature", "disclaimer"):
        for after in ("body", "greeting", "signoff"):
            if closing in ix and after in ix:
                mask[ix[closing], ix[after]] = True
    if "greeting" in ix:
        for c in classes:
            if c != "header":
                mask[ix[c], ix["greeting"]] = True
    return mask


def transition_table(sequences: Sequence[Sequence[tuple[int, bool, bool]]], k: int, smoothing: float = 0.5
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log transition probabilities between consecutive lines with no blank line between,
    the same across a blank line, and log start probabilities, counted on labelled
    sequences (add-``smoothing``).

    Each step is ``(class, blank_before, new_message)``; a class below 0 is unknown and
    breaks the chain (the next known class counts as a start).  Steps where the quote
    depth changes count nothing: decoding starts a new message there.  Two tables,
    because a block boundary mostly sits at a blank line: a signature that starts in the
    middle of a paragraph is rare, one after a blank line is common.
    """
    trans = np.full((2, k, k), smoothing, dtype=np.float64)
    start = np.full(k, smoothing, dtype=np.float64)
    for seq in sequences:
        prev = None
        for c, blank, new_message in seq:
            if c < 0:
                prev = None
                continue
            if prev is None or new_message:
                start[c] += 1
            else:
                trans[int(blank), prev, c] += 1
            prev = c
    trans /= trans.sum(axis=2, keepdims=True)
    start /= start.sum()
    return np.log(trans[0]), np.log(trans[1]), np.log(start)


def compile_viterbi(trans: np.ndarray, start: np.ndarray, trans_blank: np.ndarray | None = None):
    """A Viterbi function specialised to one model: the allowed transitions and their
    weights written out as straight-line Python (no inner loops, no indexing of the
    transition matrix), compiled once when the model loads.  It returns the same path
    as :func:`viterbi` at about a third of the cost, which matters at ~30 rows per
    message.  The source is generated from numbers only (never from data).

    The returned function takes ``(emission, reset, blank=None)``; ``blank`` marks the
    rows that follow a blank line, where ``trans_blank`` applies (default: ``trans``)."""
    k = trans.shape[0]
    tables = [trans, trans if trans_blank is None else trans_blank]
    st = [float(x) for x in np.asarray(start, dtype=np.float64)]
    states = ", ".join(f"s{j}" for j in range(k))
    src = ["def _viterbi(em, reset, blank):", "    n = len(em)", "    if not n:", "        return []",
           "    e = em[0]"]
    src.append(f"    {states} = " + ", ".join(f"{st[j]!r} + e[{j}]" for j in range(k)))
    src += ["    back = [None] * n", "    for t in range(1, n):", "        e = em[t]", "        if reset[t]:",
            f"            m = max({states})",
            f"            b = ({states}).index(m)",
            "            back[t] = (b,) * " + str(k),
            f"            {states} = " + ", ".join(f"m + {st[j]!r} + e[{j}]" for j in range(k)),
            "            continue"]
    for branch, table in (("        if blank[t]:", tables[1]), ("        else:", tables[0])):
        tr = [[float(x) for x in row] for row in np.asarray(table, dtype=np.float64)]
        src.append(branch)
        for j in range(k):
            preds = [i for i in range(k) if tr[i][j] > NEG / 2]
            if not preds:
                src.append(f"            m = max({states})")
                src.append(f"            b{j} = ({states}).index(m)")
                src.append(f"            n{j} = m + {NEG!r} + e[{j}]")
                continue
            i0 = preds[0]
            src.append(f"            b{j} = {i0}; v = s{i0} + {tr[i0][j]!r}")
            for i in preds[1:]:
                src.append(f"            w = s{i} + {tr[i][j]!r}")
                src.append(f"            if w > v: v = w; b{j} = {i}")
            src.append(f"            n{j} = v + e[{j}]")
    src.append("        back[t] = (" + ", ".join(f"b{j}" for j in range(k)) + ",)")
    src.append(f"        {states} = " + ", ".join(f"n{j}" for j in range(k)))
    src += [f"    last = ({states},)",
            "    cur = last.index(max(last))", "    path = [cur]", "    for t in range(n - 1, 0, -1):",
            "        cur = back[t][cur]", "        path.append(cur)", "    path.reverse()", "    return path"]
    ns: dict = {}
    exec(compile("\n".join(src), "<viterbi>", "exec"), ns)  # noqa: S102 - generated from model numbers
    fn = ns["_viterbi"]

    def run(emission: np.ndarray, reset: Sequence[bool], blank: Sequence[bool] | None = None) -> list[int]:
        # rows with ``reset`` never reach the blank branch: without ``blank``, no row has one
        return fn(emission.tolist(), reset, blank if blank is not None else reset)

    return run


def viterbi(emission: np.ndarray, trans: np.ndarray, start: np.ndarray, reset: Sequence[bool],
            blank: Sequence[bool] | None = None, trans_blank: np.ndarray | None = None) -> list[int]:
    """Best class sequence.

    Args:
        emission: ``(n, k)`` log scores per line and class.
        trans: ``(k, k)`` log transition scores (forbidden ones already very negative).
        start: ``(k,)`` log scores of the first class of a message.
        reset: per line, True when a new message may start there without a header
            (quote depth changed): the transition is then ``start`` from any class.
        blank: per line, True when a blank line precedes it: the transition is then
            taken from ``trans_blank`` (when given).

    Plain Python over lists: with six classes and ~30 allowed transitions a step costs
    about two microseconds, where numpy's per-call overhead on 6 x 6 arrays costs more.
    """
    n, k = emission.shape
    if n == 0:
        return []
    em = emission.tolist()
    st = [float(x) for x in start]

    def allowed_of(table: np.ndarray) -> list[list[tuple[int, float]]]:
        tr = table.tolist()
        return [[(i, tr[i][j]) for i in range(k) if tr[i][j] > NEG / 2] for j in range(k)]

    allowed_tables = [allowed_of(trans), allowed_of(trans if trans_blank is None else trans_blank)]
    ks = range(k)
    score = [st[j] + em[0][j] for j in ks]
    back: list[list[int] | int] = [0]
    for t in range(1, n):
        e = em[t]
        if reset[t]:
            best = max(ks, key=score.__getitem__)
            bs = score[best]
            score = [bs + st[j] + e[j] for j in ks]
            back.append(best)
            continue
        allowed = allowed_tables[1 if blank is not None and blank[t] else 0]
        new = []
        bp = []
        for j in ks:
            bi = -1
            bv = NEG * 10
            for i, w in allowed[j]:
                v = score[i] + w
                if v > bv:
                    bv = v
                    bi = i
            if bi < 0:  # nothing may precede j: keep the path alive at a huge cost
                bi = max(ks, key=score.__getitem__)
                bv = score[bi] + NEG
            new.append(bv + e[j])
            bp.append(bi)
        score = new
        back.append(bp)
    cur = max(ks, key=score.__getitem__)
    path = [cur]
    for t in range(n - 1, 0, -1):
        b = back[t]
        cur = b if isinstance(b, int) else b[cur]
        path.append(cur)
    path.reverse()
    return path
