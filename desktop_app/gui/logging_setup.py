"""The app's log file: rotating, under the platform log folder, with secrets blanked out.

``CROSSLINK_LOG_DIR`` overrides the folder (tests, portable installs). Help → Open log folder shows it.
"""

from __future__ import annotations

import logging
import re
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from desktop_app.core.app_folders import log_dir

LOG_FILE_NAME = "crosslink.log"
_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"

# Token-looking things and what replaces them: OAuth tokens, Stripe keys, key=value secrets,
# Salesforce session ids, passwords in URLs.
_SECRET_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b(bearer|oauth)\s+[A-Za-z0-9._~+/=!-]{8,}"), r"\1 [redacted]"),
    (re.compile(r"\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]{6,}"), r"\1_\2_[redacted]"),
    (re.compile(r"(?i)\b(access_token|refresh_token|client_secret|password|api_key|apikey|token|secret)"
                r"(\"?\s*[:=]\s*\"?)[^\s\"'&,;]+"), r"\1\2[redacted]"),
    (re.compile(r"00D[A-Za-z0-9]{12,15}![A-Za-z0-9._~+/=-]{20,}"), "[redacted]"),
    (re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"), "[redacted]"),
)


def redact(text: str) -> str:
    """``text`` with anything that looks like a secret replaced by ``[redacted]``."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    """Formats a record (traceback included), then blanks out secrets in the whole text."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(level: int = logging.INFO) -> Path:
    """Send ``desktop_app`` logs to a rotating file (1 MB × 5) and log uncaught exceptions; returns
    the log file's path. Calling it again replaces the previous handler."""
    path = log_dir() / LOG_FILE_NAME
    logger = logging.getLogger("desktop_app")
    for handler in [h for h in logger.handlers if getattr(h, "crosslink_file", False)]:
        logger.removeHandler(handler)
        handler.close()
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(RedactingFormatter(_FORMAT))
    handler.crosslink_file = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
    sys.excepthook = _log_uncaught
    return path


def close_logging() -> None:
    """Detach and close the log file (at exit, and in tests)."""
    logger = logging.getLogger("desktop_app")
    for handler in [h for h in logger.handlers if getattr(h, "crosslink_file", False)]:
        logger.removeHandler(handler)
        handler.close()
    if sys.excepthook is _log_uncaught:
        sys.excepthook = sys.__excepthook__


def _log_uncaught(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    logging.getLogger("desktop_app").critical("Uncaught exception", exc_info=(kind, error, trace))
    sys.__excepthook__(kind, error, trace)
