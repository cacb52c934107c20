"""``desktop-app gui`` (also what a bare ``desktop-app`` runs): open the desktop app."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("gui", help="open the desktop app (the default)")
    parser.add_argument("--screenshot", type=Path, metavar="PATH",
                        help="save a PNG of the first page and quit (for docs and QA)")
    parser.add_argument("--screenshots", type=Path, metavar="DIR",
                        help="walk every page on demo data, save one PNG per page into DIR, and quit")
    parser.add_argument("--quit-when-shown", action="store_true",
                        help="print 'shown' once the Welcome page is on screen and usable, then quit (start-up timing)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Qt is imported here, not at module level, so every other command runs without a display.
    from desktop_app.gui.app import run_gui

    return run_gui(screenshot=args.screenshot, screenshots=args.screenshots, quit_when_shown=args.quit_when_shown)
