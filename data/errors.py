"""The one exception type of the ``data`` package.

Every bad input (empty file, wrong format, corrupt or truncated file, missing
optional library, upload over the size limit) is reported as a
:class:`DataLoadError` whose message is a single line saying what is wrong and
what to do.  The library's original exception, when there is one, is chained
as ``__cause__`` for logs; it never becomes the message.
"""

from __future__ import annotations


class DataLoadError(ValueError):
    """A file or upload could not be turned into a DataFrame or Dataset."""

    def __init__(self, message: str) -> None:
        # One line, always: the UI shows it as is.
        super().__init__(" ".join(str(message).split()))
