"""Registers the core's default scorer like any plugin would."""

from __future__ import annotations

from ..hookspecs import hookimpl
from .methods import MethodPriorScorer


@hookimpl
def register_scorers(register):
    register("method-prior", MethodPriorScorer())
