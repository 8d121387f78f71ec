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


def transition_table(sequences: Sequence[Sequence[int]], k: int, smoothing: float = 0.5
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Log transition and start probabilities counted on label sequences (add-``smoothing``)."""
    trans = np.full((k, k), smoothing, dtype=np.float64)
    start = np.full(k, smoothing, dtype=np.float64)
    for seq in sequences:
        prev = None
        for c in seq:
            if c < 0:
                prev = None
                continue
            if prev is None:
                start[c] += 1
            else:
                trans[prev, c] += 1
            prev = c
    trans /= trans.sum(axis=1, keepdims=True)
    start /= start.sum()
    return np.log(trans), np.log(start)


def compile_viterbi(trans: np.ndarray, start: np.ndarray):
    """A Viterbi function specialised to one model: the allowed transitions and their
    weights written out as straight-line Python (no inner loops, no indexing of the
    transition matrix), compiled once when the model loads.  It returns the same path
    as :func:`viterbi` at about a third of the cost, which matters at ~30 rows per
    message.  The source is generated from numbers only (never from data)."""
    k = trans.shape[0]
    tr = [[float(x) for x in row] for row in np.asarray(trans, dtype=np.float64)]
    st = [float(x) for x in np.asarray(start, dtype=np.float64)]
    src = ["def _viterbi(em, reset):", "    n = len(em)", "    if not n:", "        return []",
           "    e = em[0]"]
    src.append("    " + ", ".join(f"s{j}" for j in range(k)) + " = "
               + ", ".join(f"{st[j]!r} + e[{j}]" for j in range(k)))
    src += ["    back = [None] * n", "    for t in range(1, n):", "        e = em[t]", "        if reset[t]:",
            "            m = max(" + ", ".join(f"s{j}" for j in range(k)) + ")",
            "            b = (" + ", ".join(f"s{j}" for j in range(k)) + ").index(m)",
            "            back[t] = (b,) * " + str(k),
            "            " + ", ".join(f"s{j}" for j in range(k)) + " = "
            + ", ".join(f"m + {st[j]!r} + e[{j}]" for j in range(k)),
            "            continue"]
    for j in range(k):
        preds = [i for i in range(k) if tr[i][j] > NEG / 2]
        if not preds:
            src.append(f"        m = max({', '.join(f's{i}' for i in range(k))})")
            src.append(f"        b{j} = ({', '.join(f's{i}' for i in range(k))}).index(m)")
            src.append(f"        n{j} = m + {NEG!r} + e[{j}]")
            continue
        i0 = preds[0]
        src.append(f"        b{j} = {i0}; v = s{i0} + {tr[i0][j]!r}")
        for i in preds[1:]:
            src.append(f"        w = s{i} + {tr[i][j]!r}")
            src.append(f"        if w > v: v = w; b{j} = {i}")
        src.append(f"        n{j} = v + e[{j}]")
    src.append("        back[t] = (" + ", ".join(f"b{j}" for j in range(k)) + ",)")
    src.append("        " + ", ".join(f"s{j}" for j in range(k)) + " = " + ", ".join(f"n{j}" for j in range(k)))
    src += ["    last = (" + ", ".join(f"s{j}" for j in range(k)) + ",)",
            "    cur = last.index(max(last))", "    path = [cur]", "    for t in range(n - 1, 0, -1):",
            "        cur = back[t][cur]", "        path.append(cur)", "    path.reverse()", "    return path"]
    ns: dict = {}
    exec(compile("\n".join(src), "<viterbi>", "exec"), ns)  # noqa: S102 - generated from model numbers
    fn = ns["_viterbi"]

    def run(emission: np.ndarray, reset: Sequence[bool]) -> list[int]:
        return fn(emission.tolist(), reset)

    return run


def viterbi(emission: np.ndarray, trans: np.ndarray, start: np.ndarray, reset: Sequence[bool]) -> list[int]:
    """Best class sequence.

    Args:
        emission: ``(n, k)`` log scores per line and class.
        trans: ``(k, k)`` log transition scores (forbidden ones already very negative).
        start: ``(k,)`` log scores of the first class of a message.
        reset: per line, True when a new message may start there without a header
            (quote depth changed): the transition is then ``start`` from any class.

    Plain Python over lists: with six classes and ~30 allowed transitions a step costs
    about two microseconds, where numpy's per-call overhead on 6 x 6 arrays costs more.
    """
    n, k = emission.shape
    if n == 0:
        return []
    em = emission.tolist()
    st = [float(x) for x in start]
    tr = trans.tolist()
    allowed = [[(i, tr[i][j]) for i in range(k) if tr[i][j] > NEG / 2] for j in range(k)]
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
