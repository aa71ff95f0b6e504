"""The adjudication app: adjudicator → (calibration) → review queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from workbench.codebook import Codebook
from workbench.display import DisplayMode
from workbench.review import ReviewSession
from workbench.store import Store
from workbench.tui.app import WorkbenchApp


class ReviewApp(WorkbenchApp):
    """Same start as labeling (who, then the display calibration), then the
    review screen instead of the article list."""

    TITLE = "Stance workbench: review"
    ROLE = "adjudicator"
    EXTRA_KEYS: ClassVar = [
        ("1-9", "take that coder's value for the row under the cursor"),
    ]

    def __init__(
        self,
        store: Store,
        codebook: Codebook,
        *,
        adjudicator: str | None = None,
        display: DisplayMode | None = None,
        coders: Sequence[str] | None = None,
        articles: Sequence[str] | None = None,
        include_decided: bool = False,
        at: tuple[str, int] | None = None,
        blink: bool = True,
    ) -> None:
        super().__init__(store, codebook, coder=adjudicator, display=display, blink=blink)
        self._queue_filters = {
            "coders": coders,
            "articles": articles,
            "include_decided": include_decided,
            "at": at,
        }
        self.review: ReviewSession | None = None

    def _begin(self, coder: str) -> None:
        self.review = ReviewSession(self.store, coder, self.codebook, **self._queue_filters)

    def _show_main(self) -> None:
        from workbench.tui.screens.review import ReviewScreen

        assert self.review is not None
        self._replace_start_screen(ReviewScreen(self.review))
