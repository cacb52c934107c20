"""A ``requests`` transport adapter that checks the trust settings once instead of on every request.

For each request ``HTTPAdapter`` looks at the CA bundle on disk (``os.path.exists`` / ``isdir``,
three ``stat`` calls). The answer does not change during a run, and with several request threads
each of those system calls hands the interpreter lock to another thread: on a run of 100,000
requests they cost more than the requests' own work. This adapter remembers the answer per
(host, CA setting, client certificate); the first request for each still checks the disk.
"""

from __future__ import annotations

import threading
from typing import Any

from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest

_CONN_TLS_FIELDS = ("cert_reqs", "ca_certs", "ca_cert_dir", "cert_file", "key_file")


class CheckedOnceAdapter(HTTPAdapter):
    """``HTTPAdapter`` with the CA-bundle checks of each (host, verify, cert) done once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pool_keys: dict[tuple[Any, ...], Any] = {}
        self._conn_tls: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def build_connection_pool_key_attributes(self, request: PreparedRequest, verify: Any, cert: Any = None) -> Any:
        url = str(request.url or "")
        key = (url[: url.find("/", url.find("//") + 2)], _hashable(verify), _hashable(cert))
        with self._lock:
            known = self._pool_keys.get(key)
        if known is None:
            known = super().build_connection_pool_key_attributes(request, verify, cert)
            with self._lock:
                self._pool_keys[key] = known
        return dict(known[0]), dict(known[1])  # copies: urllib3 may add to them

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        key = (url.lower().startswith("https"), _hashable(verify), _hashable(cert))
        with self._lock:
            known = self._conn_tls.get(key)
        if known is None:
            super().cert_verify(conn, url, verify, cert)  # type: ignore[no-untyped-call]
            with self._lock:
                self._conn_tls[key] = {name: getattr(conn, name, None) for name in _CONN_TLS_FIELDS}
            return
        for name, value in known.items():
            setattr(conn, name, value)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
