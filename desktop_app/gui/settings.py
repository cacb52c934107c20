"""Where the app keeps its settings (window geometry, last choices) — never a secret."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

CONFIG_DIR_ENV = "CROSSLINK_CONFIG_DIR"


def app_settings() -> QSettings:
    """The app's settings; an INI file in ``$CROSSLINK_CONFIG_DIR`` when that is set (tests,
    portable installs), else the platform's native place for organisation/app "Crosslink"."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        Path(override).mkdir(parents=True, exist_ok=True)
        return QSettings(str(Path(override) / "crosslink-gui.ini"), QSettings.Format.IniFormat)
    return QSettings("Crosslink", "Crosslink")
