"""Where the app keeps its settings (window geometry, last choices) — never a secret."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

from desktop_app.core.app_folders import APP_NAME, CONFIG_DIR_ENV, config_dir


def app_settings() -> QSettings:
    """The app's settings; an INI file in ``$CROSSLINK_CONFIG_DIR`` when that is set (tests,
    portable installs), else the platform's native place for organisation/app "Crosslink"."""
    if os.environ.get(CONFIG_DIR_ENV):
        return QSettings(str(config_dir() / "crosslink-gui.ini"), QSettings.Format.IniFormat)
    return QSettings(APP_NAME, APP_NAME)
