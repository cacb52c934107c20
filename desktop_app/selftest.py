"""``--self-test``: prove that an installed (or frozen) Crosslink can actually run on this machine.

Each check exercises a real part the way the app uses it — Qt offscreen, the wizard, the bundled
resources and image plugins, the keychain backend, TLS certificates, both sandboxes over HTTPS — and
returns a ``CheckResult``. ``run_self_test`` runs them all; nothing here is mocked or skipped.
A ``warn`` result is something the app survives (e.g. no keychain daemon: logins are not remembered);
a ``fail`` means the installation is broken and the exit code is non-zero.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import desktop_app

Status = Literal["ok", "warn", "fail"]
SOURCE_VERSION = "0.0.0+source"  # what desktop_app.__version__ says when package metadata is missing

# Keyring backend modules that must be importable on each OS (a frozen app without them silently
# falls back to "no keychain"), with the packages they need.
KEYRING_MODULES: dict[str, tuple[str, ...]] = {
    "linux": ("keyring.backends.SecretService", "secretstorage", "jeepney"),
    "win32": ("keyring.backends.Windows", "win32ctypes.core"),
    "darwin": ("keyring.backends.macOS",),
}
UNUSABLE_KEYRINGS = ("keyring.backends.fail.", "keyring.backends.null.")


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: a short name, ok/warn/fail, and one sentence of detail."""

    name: str
    status: Status
    detail: str


class CheckFailed(Exception):
    """Raised inside a check with the sentence to report."""


def _frozen_root() -> Path | None:
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) if getattr(sys, "frozen", False) and bundle else None


def check_version() -> CheckResult:
    """The version comes from package metadata (pyproject's version), not the source fallback."""
    version = desktop_app.__version__
    if version == SOURCE_VERSION:
        raise CheckFailed(f"version unknown ({version}): the crosslink package metadata is not installed or "
                          "not bundled (PyInstaller: copy_metadata('crosslink'))")
    where = "frozen app" if _frozen_root() else "python " + sys.version.split()[0]
    return CheckResult("version", "ok", f"Crosslink {version} ({where}, {sys.platform})")


def check_qt_offscreen() -> CheckResult:
    """A QApplication runs on the offscreen platform and has the Qt modules the GUI needs."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QGuiApplication

    from desktop_app.gui.app import application

    app = application()
    platform = QGuiApplication.platformName()
    for module in ("PySide6.QtCharts", "PySide6.QtSvg"):
        importlib.import_module(module)
    if platform != "offscreen":
        raise CheckFailed(f"Qt started on platform {platform!r} instead of 'offscreen'")
    return CheckResult("qt", "ok", f"PySide6 {pyside_version}, platform {platform}, {type(app).__name__} ready")


def check_resources() -> CheckResult:
    """Every file in the resources folder the GUI uses is present and loads as an image."""
    from PySide6.QtGui import QImage, QImageReader

    from desktop_app.gui.wizard import ICON_PATH, app_icon

    folder = ICON_PATH.parent
    if not ICON_PATH.is_file():
        frozen = _frozen_root()
        hint = (f" (frozen app: bundle desktop_app/resources/ into {frozen / 'desktop_app' / 'resources'})"
                if frozen else " (desktop_app/resources is package data: the wheel or install left it out)")
        raise CheckFailed(f"icon not found at {ICON_PATH}{hint}")
    formats = {bytes(name.data()).decode() for name in QImageReader.supportedImageFormats()}
    if "svg" not in formats:
        raise CheckFailed(f"Qt cannot read SVG (image formats: {', '.join(sorted(formats))}); "
                          "the qsvg image-format plugin or QtSvg is missing")
    loaded = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if QImage(str(path)).isNull():
            raise CheckFailed(f"resource {path.name} in {folder} does not load as an image")
        loaded.append(path.name)
    if app_icon().isNull():
        raise CheckFailed(f"the app icon {ICON_PATH} loads as an empty icon")
    return CheckResult("resources", "ok", f"{len(loaded)} loaded from {folder}: {', '.join(loaded)}")


def check_wizard() -> CheckResult:
    """The wizard builds with all its pages (as the app builds it), its About box names this version,
    and it is torn down again without touching the person's saved window geometry."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from desktop_app.gui.tasks import cancel_and_wait_all
    from desktop_app.gui.wizard import CrosslinkWizard
    from desktop_app.secrets import keychain_backend_name

    wizard = CrosslinkWizard(keychain=keychain_backend_name())
    try:
        wizard.ensure_pages()  # the app builds the later pages after its window shows
        pages = len(wizard.pageIds())
        about = wizard.about_text()
    finally:
        cancel_and_wait_all(5.0)
        wizard.state.close()
        wizard.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    if pages == 0:
        raise CheckFailed("the wizard was built without any page")
    if desktop_app.__version__ not in about:
        raise CheckFailed(f"the About box does not show version {desktop_app.__version__}")
    return CheckResult("wizard", "ok", f"{pages} pages built; About shows {desktop_app.__version__}")


def check_keyring_bundled() -> CheckResult:
    """This OS's keyring backend and its dependencies import (i.e. are installed/bundled)."""
    modules = KEYRING_MODULES.get(sys.platform, ())
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as error:
            missing.append(f"{name} ({error})")
    if missing:
        raise CheckFailed("keyring backend modules missing: " + "; ".join(missing))
    return CheckResult("keyring-modules", "ok", ", ".join(modules) or f"none needed on {sys.platform}")


def check_keychain() -> CheckResult:
    """The keyring backend Crosslink would use; ``warn`` when there is no usable keychain."""
    from desktop_app.secrets import keychain_backend_name, unavailable_reason

    name = keychain_backend_name()
    if name.startswith(UNUSABLE_KEYRINGS):
        why = unavailable_reason() or ("no usable keychain, logins will not be remembered "
                                       "(Linux: start GNOME Keyring or KWallet)")
        return CheckResult("keychain", "warn", f"{name}: {why}")
    return CheckResult("keychain", "ok", name)


def check_certificates() -> CheckResult:
    """The CA bundle requests uses for real Salesforce/Stripe connections is present."""
    import certifi

    bundle = Path(certifi.where())
    if not bundle.is_file():
        raise CheckFailed(f"the CA certificate bundle {bundle} is missing; HTTPS to Salesforce will fail")
    return CheckResult("ca-bundle", "ok", str(bundle))


def _get(url: str, ca_cert: Path, **kwargs: object) -> int:
    import requests

    response = requests.get(url, verify=str(ca_cert), timeout=30, **kwargs)  # type: ignore[arg-type]
    return response.status_code


def check_salesforce_sandbox() -> CheckResult:
    """The sandbox org starts, answers one HTTPS request trusted through its CA, and stops."""
    from desktop_app.sandbox.salesforce.server import start_salesforce_sandbox

    with start_salesforce_sandbox(accounts=50) as org:
        status = _get(f"{org.instance_url}/services/data/", org.ca_cert,
                      headers={"Authorization": f"Bearer {org.access_token}"})
    if status != 200:
        raise CheckFailed(f"GET /services/data/ on the sandbox org answered HTTP {status}")
    return CheckResult("salesforce-sandbox", "ok", f"HTTPS 200 from {org.instance_url}, CA {org.ca_cert.name} trusted")


def check_sequence_sandbox() -> CheckResult:
    """The Sequence sandbox starts, answers one authenticated HTTPS request, and stops."""
    from desktop_app.sandbox.sequence import start_sequence_sandbox

    with start_sequence_sandbox(customers=50) as billing:
        status = _get(f"{billing.url}/customers", billing.ca_cert, auth=(billing.client_id, billing.client_secret))
        customers = len(billing.store)
    if status != 200:
        raise CheckFailed(f"GET /api/customers on the Sequence sandbox answered HTTP {status}")
    return CheckResult("sequence-sandbox", "ok", f"HTTPS 200 from {billing.url} ({customers} customers)")


def check_locations() -> CheckResult:
    """Where settings, data and logs go on this machine, as the app computes them (information only)."""
    from desktop_app.core.app_folders import config_dir, data_dir, log_dir

    return CheckResult("locations", "ok", f"settings {config_dir()}; data {data_dir()}; logs {log_dir()}")


CHECKS: tuple[Callable[[], CheckResult], ...] = (
    check_version,
    check_qt_offscreen,
    check_resources,
    check_wizard,
    check_keyring_bundled,
    check_keychain,
    check_certificates,
    check_salesforce_sandbox,
    check_sequence_sandbox,
    check_locations,
)


def _name_of(check: Callable[[], CheckResult]) -> str:
    return check.__name__.removeprefix("check_").replace("_", "-")


@contextmanager
def offscreen_qt() -> Iterator[None]:
    """Make a QApplication created inside use the offscreen platform (restored afterwards)."""
    before = os.environ.get("QT_QPA_PLATFORM")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("QT_QPA_PLATFORM", None)
        else:
            os.environ["QT_QPA_PLATFORM"] = before


def run_self_test(checks: tuple[Callable[[], CheckResult], ...] = CHECKS) -> list[CheckResult]:
    """Run every check in order; a check that raises becomes a ``fail`` naming the error."""
    results = []
    with offscreen_qt():
        for check in checks:
            try:
                results.append(check())
            except CheckFailed as problem:
                results.append(CheckResult(_name_of(check), "fail", str(problem)))
            except Exception as error:  # an unexpected breakage is exactly what the self-test reports
                results.append(CheckResult(_name_of(check), "fail", f"{type(error).__name__}: {error}"))
    return results


def passed(results: list[CheckResult]) -> bool:
    """True when no check failed (warnings allowed)."""
    return all(result.status != "fail" for result in results)


def format_lines(results: list[CheckResult]) -> str:
    """One line per check — ``OK   name: detail`` — and a last line with the verdict."""
    lines = [f"{result.status.upper():<4} {result.name}: {result.detail}" for result in results]
    failed = sum(result.status == "fail" for result in results)
    lines.append("self-test passed" if not failed else f"self-test FAILED: {failed} of {len(results)} checks")
    return "\n".join(lines)


def to_json(results: list[CheckResult]) -> str:
    """The results as JSON: ``{"ok", "version", "checks": [{"name", "status", "detail"}]}``."""
    payload = {"ok": passed(results), "version": desktop_app.__version__,
               "checks": [asdict(result) for result in results]}
    return json.dumps(payload, indent=2)
