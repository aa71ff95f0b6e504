"""Defaults that come from the environment; importing this costs nothing."""

from __future__ import annotations

import os

DEFAULT_DB = "workbench.db"


def default_db_path() -> str:
    """`$WORKBENCH_DB`, else ./workbench.db."""
    return os.environ.get("WORKBENCH_DB") or DEFAULT_DB


# How Arabic is drawn: `label` and `review` take it as given or ask (the
# calibration screen); CLI tables fall back to "terminal".
DISPLAY_ENV = "WORKBENCH_DISPLAY"
DISPLAY_CHOICES = ("terminal", "app")  # workbench.display.DISPLAY_MODES, without importing Rich
