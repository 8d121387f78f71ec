"""The ML segmenter: a linear line classifier, Viterbi decoding, zones.

:class:`SegmenterModel` is the applied model (numpy arrays only): features of every
non-blank line (:mod:`.line_features`), the class scores from two small matrix products
(the per-line block times the line/previous/next weights side by side, the context
block times its weights), the decoding of :mod:`.decode` (compiled once per model;
attachment markers left out of the sequence), a name line under a sign-off joined to
the signature right below it, then the zones of ``webleads segment``: message indices
(a header block or a deeper ``>`` quote opens the next message), ``reply_header`` or
``forward_header`` by the header's wording, ``device_footer`` or ``disclaimer``.

:class:`MLSegmenter` is the component the plugin registers: it loads the named model
on first use and falls back to the core's rule-based segmenter, with one warning,
when the model is missing or does not match its card.
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any, Sequence

import numpy as np

from webleads_core.records import HeaderContact, ParsedMessage, Zone
from webleads_core.segment import cues as C

from . import line_features as LF
from .artifacts import ModelError
from .decode import NEG, compile_viterbi, forbidden_mask

log = logging.getLogger("webleads.signature")

DEFAULT_MODEL = "webleads-segmenter"
MODEL_ENV = "WEBLEADS_SEGMENTER_MODEL"

_ZONE_OF = {"body": "body", "greeting": "greeting", "signoff": "signoff", "signature": "signature"}


class SegmenterModel:
    """An applied segmentation model (see the module docstring)."""

    def __init__(self, payload: dict[str, Any], card: dict[str, Any] | None = None) -> None:
        self.classes: tuple[str, ...] = tuple(payload["classes"])
        if tuple(payload["features"]) != LF.FEATURE_NAMES:
            raise ModelError("the model was trained on other features than this plugin computes")
        self.coef = np.asarray(payload["coef"], dtype=np.float32)  # (features, classes)
        self.intercept = np.asarray(payload["intercept"], dtype=np.float32)
        nb, k = len(LF.BASE_NAMES), len(self.classes)
        # the weights of the line, previous-line and next-line copies side by side, so that
        # one product of the per-line block gives all three (see emissions_parts)
        self._w_lines = np.ascontiguousarray(np.hstack([self.coef[:nb], self.coef[nb:2 * nb], self.coef[2 * nb:3 * nb]]))
        self._w_ctx = np.ascontiguousarray(self.coef[3 * nb:])
        self._k = k
        self._body = self.classes.index("body")
        self._signoff = self.classes.index("signoff")
        self._signature = self.classes.index("signature")
        #: "raw" for a CRF (its scores are what decoding adds up), "logsoftmax" for a
        #: line classifier whose probabilities are combined with counted transitions
        self.scores = str(payload.get("scores", "logsoftmax"))
        self.log_prior = np.asarray(payload.get("log_prior", np.zeros(len(self.classes))), dtype=np.float32)
        self.prior_weight = float(payload.get("prior_weight", 0.0))
        self.trans_weight = float(payload.get("trans_weight", 1.0))
        forbidden = forbidden_mask(self.classes)
        trans = np.asarray(payload["trans"], dtype=np.float64) * self.trans_weight
        trans[forbidden] = NEG
        self.trans = trans
        # transitions across a blank line (models before version 3 have one table)
        trans_blank = np.asarray(payload.get("trans_blank", payload["trans"]), dtype=np.float64) * self.trans_weight
        trans_blank[forbidden] = NEG
        self.trans_blank = trans_blank
        self.start = np.asarray(payload["start"], dtype=np.float64) * self.trans_weight
        self._viterbi = compile_viterbi(self.trans, self.start, self.trans_blank)
        self.card = card or {}
        self.version = str(self.card.get("version", payload.get("version", "1")))

    # -- scores and labels ------------------------------------------------------------

    def emissions(self, X: np.ndarray) -> np.ndarray:
        """Log scores per row and class from the full feature matrix."""
        return self._normalise(X @ self.coef + self.intercept)

    def emissions_parts(self, B: np.ndarray, ctx: np.ndarray) -> np.ndarray:
        """The same scores from the per-line and context blocks: ``B @ W_line`` plus the
        previous row's ``B @ W_prev`` plus the next row's ``B @ W_next`` plus
        ``ctx @ W_ctx``, without building the windowed matrix."""
        k = self._k
        z3 = B @ self._w_lines
        z = z3[:, :k] + ctx @ self._w_ctx + self.intercept
        z[1:] += z3[:-1, k:2 * k]
        z[:-1] += z3[1:, 2 * k:]
        return self._normalise(z)

    def _normalise(self, z: np.ndarray) -> np.ndarray:
        if self.scores == "raw":
            return z.astype(np.float64)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        if self.prior_weight:
            logp = logp - self.prior_weight * self.log_prior
        return logp.astype(np.float64)

    def label_lines(self, text: str, sender: HeaderContact | None = None
                    ) -> tuple[list[str], list[str | None], list[int]]:
        """``(lines, class per line or None for blank lines, quote depth per line)``."""
        lines = text.split("\n")
        work = [x[:-1] if x.endswith("\r") else x for x in lines]
        snd = _sender(sender.name, sender.email) if sender is not None else None
        B, ctx, index, depths, _ = LF.message_parts(work, snd if snd else None)
        labels: list[str | None] = [None] * len(work)
        depth_of = [0] * len(work)
        if not index:
            return work, labels, depth_of
        em = self.emissions_parts(B, ctx)
        path = decode_rows(em, B[:, _ATTACHMENT] > 0, depths, self._viterbi, self._body, index)
        join_name_lines(path, B, index, depths, self._signoff, self._signature)
        for k, i in enumerate(index):
            labels[i] = self.classes[path[k]]
            depth_of[i] = depths[k]
        return work, labels, depth_of

    def zones(self, text: str, sender: HeaderContact | None = None) -> tuple[Zone, ...]:
        """The zones of one decoded email text (every non-blank line in exactly one)."""
        if not text:
            return ()
        work, labels, depths = self.label_lines(text, sender)
        return build_zones(text.split("\n"), work, labels, depths)


_ATTACHMENT = LF.BASE_NAMES.index("attachment")


@functools.lru_cache(maxsize=4096)
def _sender(name: str | None, email: str | None) -> LF.Sender:
    """The name cues of a sender (the same senders write again and again)."""
    return LF.Sender(name, email)


def clear_caches() -> None:
    """Empty the per-line and per-sender caches (see :func:`line_features.clear_caches`)."""
    _sender.cache_clear()
    LF.clear_caches()


_NAMEY = [LF.BASE_NAMES.index("name_like"), LF.BASE_NAMES.index("sender_line")]
_SIGNOFF_CUES = [LF.BASE_NAMES.index(c) for c in ("signoff_exact", "signoff_start", "thanks_sentence")]


def join_name_lines(path: list[int], B: np.ndarray, index: Sequence[int], depths: Sequence[int], signoff: int,
                    signature: int) -> None:
    """A name line decoded as the sign-off's, directly above a signature line (no blank
    line between, same quote level), joins the signature: the name then sits in the
    block the tagger reads.  Annotators split this case about 2:1 for "signature" in
    the Quagga ``train`` split (a lone first name under "Thanks," with nothing after it
    stays a sign-off)."""
    n = len(path)
    if n < 2 or signoff not in path:
        return
    # "Regards," is capitalised and short, so it looks like a name: sign-off phrases are
    # excluded, and only the line right above the signature *as decoded* moves (moving
    # it must not make the sign-off above it a candidate in turn)
    namey = (B[:, _NAMEY].max(axis=1) * (B[:, _SIGNOFF_CUES].max(axis=1) == 0)).tolist()
    moved = [q for q in range(n - 1)
             if path[q] == signoff and path[q + 1] == signature and namey[q] and index[q + 1] == index[q] + 1
             and depths[q] == depths[q + 1]]
    for q in moved:
        path[q] = signature


def decode_rows(em: np.ndarray, attachment: np.ndarray, depths: Sequence[int], viterbi: Any, body: int = 0,
                index: Sequence[int] | None = None) -> list[int]:
    """Class index per row: Viterbi over the rows, attachment markers (``<<file.doc>>``,
    `` - file.xls``) left out of the sequence and labelled body, so that an attachment
    line after a signature does not break the signature's block.  ``index`` (each row's
    line number) tells which rows follow a blank line."""
    n = len(depths)
    keep = np.flatnonzero(~np.asarray(attachment, dtype=bool)).tolist() if n else []
    path = [body] * n
    if not keep:
        return path
    reset = [False] + [depths[keep[q]] != depths[keep[q - 1]] for q in range(1, len(keep))]
    blank = ([False] + [index[keep[q]] - index[keep[q - 1]] > 1 for q in range(1, len(keep))]
             if index is not None else None)
    sub = viterbi(em[keep] if len(keep) < n else em, reset, blank)
    for q, k in enumerate(keep):
        path[k] = sub[q]
    return path


def build_zones(lines: Sequence[str], work: Sequence[str], labels: Sequence[str | None],
                depths: Sequence[int]) -> tuple[Zone, ...]:
    """Zones from line classes: message indices, header and footer kinds, blank lines
    inside a run joined to it."""
    n = len(work)
    out: list[tuple[str, int] | None] = [None] * n
    next_msg = 1
    msg_at_depth: dict[int, int] = {0: 0}
    i = 0
    while i < n:
        lab = labels[i]
        if lab is None:
            i += 1
            continue
        depth = depths[i]
        if lab == "header":
            run = []
            j = i
            while j < n and (labels[j] == "header" or labels[j] is None):
                if labels[j] is not None:
                    run.append(j)
                j += 1
            message = next_msg
            next_msg += 1
            for d in [d for d in msg_at_depth if d > depth]:
                del msg_at_depth[d]
            msg_at_depth[depth] = message
            msg_at_depth[depth + 1] = message  # the quote right under it is that message
            text = "\n".join(LF.strip_quote(work[x])[0][: C.LINE_CAP] for x in run[:12])
            kind = "forward_header" if _is_forward(text) else "reply_header"
            for x in run:
                out[x] = (kind, message)
            i = run[-1] + 1
            continue
        if depth not in msg_at_depth:  # a deeper quote without a header: an older message
            msg_at_depth[depth] = next_msg
            next_msg += 1
        message = msg_at_depth[depth]
        if depth > LF.MAX_DEPTH:
            kind = "quote"
        elif lab == "disclaimer":
            s = LF.strip_quote(work[i])[0][: C.LINE_CAP].strip()
            kind = "device_footer" if (C.DEVICE_FOOTER.match(s) and C.DEVICE_WORDS.search(s)) else "disclaimer"
        else:
            kind = _ZONE_OF[lab]
        out[i] = (kind, message)
        i += 1
    # blank lines join a zone only between two lines of it
    last: tuple[str, int] | None = None
    last_i = -1
    for i in range(n):
        if out[i] is None:
            continue
        if last is not None and out[i] == last:
            for x in range(last_i + 1, i):
                out[x] = last
        last, last_i = out[i], i
    # lines that are blank once their ">" is gone still belong somewhere: to the zone above
    prev: tuple[str, int] | None = None
    for i in range(n):
        if out[i] is None and work[i].strip() and prev is not None:
            out[i] = prev
        if out[i] is not None:
            prev = out[i]
    nxt: tuple[str, int] = ("body", 0)
    for i in range(n - 1, -1, -1):
        if out[i] is None and work[i].strip():
            out[i] = nxt
        if out[i] is not None:
            nxt = out[i]
    zones: list[Zone] = []
    i = 0
    while i < n:
        lab2 = out[i]
        if lab2 is None:
            i += 1
            continue
        k = i + 1
        while k < n and out[k] == lab2:
            k += 1
        zones.append(Zone(kind=lab2[0], message=lab2[1], start=i, end=k, text="\n".join(lines[i:k])))
        i = k
    return tuple(zones)


def _is_forward(text: str) -> bool:
    for line in text.split("\n")[:4]:
        s = line.strip()
        if C.FORWARD_SEPARATOR.match(s) or C.FORWARD_BY_START.match(s):
            return True
    return False


class MLSegmenter:
    """The ``ml`` segmenter component: the named model, or the rules as a fallback.

    The model is loaded once, on first use (so ``webleads plugins`` does not pay for
    it); a missing or mismatching artifact logs one warning and every message then goes
    to the core's rule-based segmenter.
    """

    name = "ml"

    def __init__(self, model: str | None = None) -> None:
        self._model_name = model
        self._model: SegmenterModel | None = None
        self._fallback: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> SegmenterModel | None:
        self._ensure()
        return self._model

    def _ensure(self) -> None:
        if self._model is not None or self._fallback is not None:
            return
        with self._lock:
            if self._model is not None or self._fallback is not None:
                return
            import os

            from . import artifacts

            name = self._model_name or os.environ.get(MODEL_ENV) or DEFAULT_MODEL
            try:
                payload, card, _ = artifacts.load(name, "segmenter")
                self._model = SegmenterModel(payload, card)
            except ModelError as exc:
                from webleads_core.default_plugins.segmenter import RuleSegmenter

                log.warning("signature segmenter model unavailable (%s); using the rule-based segmenter", exc)
                self._fallback = RuleSegmenter()

    def segment(self, message: ParsedMessage) -> tuple[Zone, ...]:
        self._ensure()
        if self._model is None:
            return self._fallback.segment(message)
        return self._model.zones(message.text, message.sender)
