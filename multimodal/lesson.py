"""The Images & text page's lesson data (the locked towers' features of every training pair), prepared once per
process and shared by every browser session: the first caller embeds (with its progress shown), the others wait
for it under a lock and get the same data. A failure leaves nothing cached, so the next call tries again."""
from __future__ import annotations

import threading
from collections.abc import Callable

from .image_pairs import build_pairs
from .lit import LessonData, prepare
from .towers import Progress, load_towers

_lock = threading.Lock()
_prepared: list[LessonData] = []  # at most one: this process's lesson


def shared_lesson(starting: Callable[[], Progress | None] | None = None) -> LessonData:
    """The lesson's data, computed on the first call only; `starting()` is called just before that computation
    (e.g. to show a progress bar) and returns the progress callback of the embedding, or None."""
    with _lock:
        if not _prepared:
            progress = starting() if starting else None
            _prepared.append(prepare(load_towers(), build_pairs(), progress))
        return _prepared[0]
