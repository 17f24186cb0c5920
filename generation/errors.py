"""The one error family of the generation core: everything it raises on purpose is a GenerationError.

Callers catch `GenerationError` to show its one-line message; each subclass says what went wrong
and what to do. They stay RuntimeErrors (ChatTemplateError also a ValueError), as they always were.
"""
from __future__ import annotations


class GenerationError(RuntimeError):
    """Something the generation core cannot do here; the message says what and how to fix it."""


class BackendUnavailable(GenerationError):
    """The backend's packages are not installed here."""


class ModelFileError(GenerationError):
    """Weights missing, incomplete or corrupted; the message says what to reinstall."""


class ChatTemplateError(GenerationError, ValueError):
    """The template rejected the chat (e.g. roles out of order) or could not be parsed."""


class ServerError(GenerationError):
    """The server could not be reached or refused the request; the message says which."""


class ServerRestarted(ServerError):
    """The model's server process died during the request and was started again: asking again works."""


class PromptStopped(GenerationError):
    """A prompt's evaluation stopped between two of its batches because the caller asked (a prefill, or a
    generation pausing for a new request: generation.shared); the batches done stay in the engine's context."""
