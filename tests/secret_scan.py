"""The secrets sweep's scanner: every value a run must keep in the keychain, in the spellings it could
take on its way out (as typed, URL-encoded, JSON-escaped, base64, HTTP Basic ``id:secret``), looked
for in the bytes of every file a run left behind (inside .xlsx workbooks too) and in captured text;
and a recorder of the secrets the sandbox org hands out during a run. Used by the command-line sweep
(tests/cli) and the wizard's sign-in (tests/gui)."""

from __future__ import annotations

import base64
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from desktop_app.sandbox.httpserver import Response
from desktop_app.sandbox.salesforce import RunningSalesforceSandbox

SHORTEST_SECRET = 12  # shorter values would also match ordinary text and make the sweep cry wolf


FRAGMENT = 24  # a long secret's first and last characters are looked for alone too (a cut or half-blanked copy)


def spellings(value: str, *, head: bool = True) -> dict[str, str]:
    """``value`` as it could be written out: raw, URL-encoded (both ways), JSON-escaped, base64; and,
    for a secret of at least twice ``FRAGMENT`` characters, its tail and (unless ``head`` is off: an
    ``id:secret`` pair starts with the public id) its head alone."""
    fragments = {"head": value[:FRAGMENT], "tail": value[-FRAGMENT:]} if len(value) >= 2 * FRAGMENT else {}
    if not head:
        fragments.pop("head", None)
    forms = {
        **fragments,
        "raw": value,
        "url-encoded": quote(value, safe=""),
        "form-encoded": quote_plus(value),
        "json-escaped": json.dumps(value)[1:-1],
        "base64": base64.b64encode(value.encode()).decode(),
        "base64url": base64.urlsafe_b64encode(value.encode()).decode().rstrip("="),
    }
    return {name: text for name, text in forms.items() if len(text) >= SHORTEST_SECRET}


@dataclass(frozen=True)
class Leak:
    """One secret found where it must not be."""

    secret: str  # the label, never the value (a failing test's message is itself an output)
    spelling: str
    where: str


@dataclass
class SecretBook:
    """The secrets of one sweep, by label; each is looked for in all of its spellings."""

    patterns: dict[bytes, tuple[str, str]] = field(default_factory=dict)

    def add(self, label: str, value: str, *, head: bool = True) -> None:
        """Look for ``value`` (labelled ``label`` in findings) in every spelling."""
        if len(value) < SHORTEST_SECRET:
            raise ValueError(f"secret {label!r} is too short to look for without false alarms")
        for spelling, text in spellings(value, head=head).items():
            self.patterns.setdefault(text.encode(), (label, spelling))

    def add_basic_auth(self, label: str, user: str, secret: str) -> None:
        """Look for the ``Authorization: Basic`` credentials of ``user``/``secret`` too."""
        self.add(f"{label} (HTTP Basic)", f"{user}:{secret}", head=False)

    def __len__(self) -> int:
        return len({label for label, _ in self.patterns.values()})

    def find(self, data: bytes, where: str) -> list[Leak]:
        """Every secret spelling in ``data``."""
        return [Leak(label, spelling, where) for text, (label, spelling) in self.patterns.items() if text in data]


def file_parts(path: Path) -> list[tuple[str, bytes]]:
    """The bytes to scan for ``path``: the file itself, and each member of a zip (.xlsx) file."""
    data = path.read_bytes()
    parts = [(str(path), data)]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as workbook:
            parts += [(f"{path}!{name}", workbook.read(name)) for name in workbook.namelist()]
    return parts


def scan_folders(book: SecretBook, folders: list[Path]) -> tuple[list[Leak], list[Path]]:
    """Leaks in every file under ``folders`` (journal, its -wal, CSV, JSON, XLSX, settings, logs …),
    and the files scanned."""
    leaks: list[Leak] = []
    scanned: list[Path] = []
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            scanned.append(path)
            for where, data in file_parts(path):
                leaks += book.find(data, where)
    return leaks, scanned


def record_salesforce_secrets(sandbox: RunningSalesforceSandbox, add: Callable[[str, str], None]) -> None:
    """Pass every access and refresh token the org issues, and every authorisation code and PKCE
    verifier it is sent, to ``add`` (label, value) as they happen."""
    service = sandbox.oauth
    issue, code_grant = service.issue, service._code_grant

    def recording_issue(*args: Any, **kwargs: Any) -> dict[str, Any]:
        body = issue(*args, **kwargs)
        add("Salesforce access token", str(body["access_token"]))
        if body.get("refresh_token"):
            add("Salesforce refresh token", str(body["refresh_token"]))
        return body

    def recording_code_grant(form: dict[str, str]) -> Response:
        for name in ("code", "code_verifier"):
            if form.get(name):
                add(f"Salesforce OAuth {name}", form[name])
        return code_grant(form)

    service.issue = recording_issue  # type: ignore[method-assign]
    service._code_grant = recording_code_grant  # type: ignore[method-assign]


class _RecordingSet(set[str]):
    def __init__(self, items: set[str], label: str, add: Callable[[str, str], None]) -> None:
        super().__init__(items)
        self._label, self._record = label, add
        for item in items:
            add(label, item)

    def add(self, item: str) -> None:
        self._record(self._label, item)
        super().add(item)


class _RecordingDict(dict[str, Any]):
    def __init__(self, items: dict[str, Any], label: str, add: Callable[[str, str], None]) -> None:
        super().__init__(items)
        self._label, self._record = label, add
        for key in items:
            add(label, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._record(self._label, key)
        super().__setitem__(key, value)


def record_oauth_client_secrets(name: str, client: Any, add: Callable[[str, str], None]) -> None:
    """Pass every access token, refresh token and authorisation code a billing sandbox's OAuth app
    (``sandbox.oauth_codes.OAuthClient``) holds or issues from now on to ``add`` (label, value)."""
    client.issued = _RecordingSet(client.issued, f"{name} access token", add)
    client.refresh_tokens = _RecordingDict(client.refresh_tokens, f"{name} refresh token", add)
    client.codes = _RecordingDict(client.codes, f"{name} OAuth code", add)
    add(f"{name} client secret", client.client_secret)
