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


def viterbi(emission: np.ndarray, trans: np.ndarray, start: np.ndarray, reset: Sequence[bool]) -> list[int]:
    """Best class sequence.

    Args:
        emission: ``(n, k)`` log scores per line and class.
        trans: ``(k, k)`` log transition scores (forbidden ones already very negative).
        start: ``(k,)`` log scores of the first class of a message.
        reset: per line, True when a new message may start there without a header
            (quote depth changed): the transition is then ``start`` from any class.
    """
    n, k = emission.shape
    if n == 0:
        return []
    back = np.zeros((n, k), dtype=np.int32)
    score = start + emission[0]
    reset_row = np.broadcast_to(start, (k, k))
    for t in range(1, n):
        cand = score[:, None] + (reset_row if reset[t] else trans)
        best = cand.argmax(axis=0)
        back[t] = best
        score = cand[best, np.arange(k)] + emission[t]
    path = [int(score.argmax())]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    path.reverse()
    return path
