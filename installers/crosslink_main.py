"""Entry point of the frozen app: the same ``desktop-app`` command line the venv installs."""

from desktop_app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
