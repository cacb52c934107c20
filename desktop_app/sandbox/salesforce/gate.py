"""What every REST/Bulk call goes through before its handler: injected faults, the session check
(401 ``INVALID_SESSION_ID``), the API-enabled permission (403 ``API_DISABLED_FOR_ORG``), the daily
request limit (403 ``REQUEST_LIMIT_EXCEEDED``), the API version, and afterwards the
``Sforce-Limit-Info`` header. Errors a handler raises become Salesforce's JSON error arrays."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.sandbox.httpserver import Handler, Request, Response
from desktop_app.sandbox.salesforce.oauth import OAuthService
from desktop_app.sandbox.salesforce.org import DemoUser, OrgState
from desktop_app.sandbox.salesforce.soql import SoqlError
from desktop_app.sandbox.salesforce.writes import RequestError

MIN_VERSION = 31
# The calls that change records (``OrgState.drop_answers_after_writes`` loses their answers).
WRITE_KINDS = frozenset({"collections.update", "sobject.update", "sobject.upsert", "sobject.delete",
                         "bulk.ingest.upload", "bulk.ingest.state"})
_SEASONS = ("Winter", "Spring", "Summer")


def current_version(today: dt.date | None = None) -> int:
    """The major API version of the Salesforce release in production on ``today``: v59 is Winter '24
    (October 2023), and a release comes every four months (February, June, October)."""
    day = today or dt.date.today()
    months = (day.year - 2023) * 12 + day.month - 10
    return 59 + max(0, months) // 4


MAX_VERSION = current_version()


def error(code: str, message: str, status: int, fields: list[str] | None = None) -> Response:
    """A REST error response: a JSON array with one ``{message, errorCode[, fields]}``."""
    entry: dict[str, object] = {"message": message, "errorCode": code}
    if fields:
        entry["fields"] = fields
    return Response.json([entry], status)


def not_found() -> Response:
    """404 NOT_FOUND as Salesforce words it."""
    return error("NOT_FOUND", "The requested resource does not exist", 404)


def versions(base_url: str) -> list[dict[str, str]]:
    """``GET /services/data`` — every supported API version, oldest first."""
    out = []
    for major in range(MIN_VERSION, MAX_VERSION + 1):
        index = major - 59
        label = f"{_SEASONS[index % 3]} '{24 + index // 3}"
        out.append({"label": label, "url": f"/services/data/v{major}.0", "version": f"{major}.0"})
    return out


@dataclass(frozen=True)
class CallContext:
    """The caller of an API request: user, API version and the version's base path."""

    user: DemoUser
    version: str
    base: str  # "/services/data/v59.0"


ApiHandler = Callable[[Request, CallContext], Response]


class ApiGate:
    """Wraps API handlers with faults, authentication, permission, limit and version checks."""

    def __init__(self, org: OrgState, oauth: OAuthService):
        self.org = org
        self.oauth = oauth
        self._random = random.Random(org.seed)
        self._random_lock = threading.Lock()

    def _roll(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._random_lock:
            return self._random.random() < rate

    def wrap(self, kind: str, handler: ApiHandler) -> Handler:
        """A router handler for ``handler``; ``kind`` names the call in ``org.counters.calls``."""

        def guarded(request: Request) -> Response:
            scenario = self.org.scenario
            if scenario.fault_kinds and kind not in scenario.fault_kinds:
                return self._call(kind, handler, request)
            if self._roll(scenario.fault_drop_rate):
                self.org.counters.count_call("fault.drop")
                return Response.dropped()
            if self._roll(scenario.fault_503_rate):
                self.org.counters.count_call("fault.503")
                return error("SERVER_UNAVAILABLE", "Service temporarily unavailable. Please try again later.", 503)
            delay = 0.0
            if self._roll(scenario.fault_slow_rate):
                self.org.counters.count_call("fault.slow")
                delay = scenario.slow_seconds
            response = self._call(kind, handler, request)
            if kind in WRITE_KINDS and response.status < 300 and self.org.take_answer_drop():
                self.org.counters.count_call("fault.drop_after_write")
                return Response.dropped()
            if self._roll(scenario.fault_drop_after_rate):
                # The request was carried out but its answer is lost: the nastiest case for a retrying client.
                self.org.counters.count_call("fault.drop_after")
                return Response.dropped()
            response.delay_seconds = max(response.delay_seconds, delay)
            return response

        return guarded

    def _call(self, kind: str, handler: ApiHandler, request: Request) -> Response:
        session = self.oauth.session_for(OAuthService.bearer(request))
        if session is None:
            return error("INVALID_SESSION_ID", "Session expired or invalid", 401)
        user = self.org.users[session.user_id]
        if not user.api_enabled:
            return error("API_DISABLED_FOR_ORG", "The REST API is not enabled for this Organization.", 403)
        version = request.params.get("version", "59.0")
        try:
            major = int(float(version))
        except ValueError:
            return not_found()
        if not MIN_VERSION <= major <= MAX_VERSION:
            return not_found()
        if not self.org.use_api(kind):
            response = error("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", 403)
        else:
            context = CallContext(user, version, f"/services/data/v{version}")
            try:
                response = handler(request, context)
            except SoqlError as problem:
                response = error(problem.code, str(problem), 400)
            except RequestError as problem:
                response = error(problem.error_code, problem.message, 400)
        response.headers["Sforce-Limit-Info"] = f"api-usage={self.org.api_used}/{self.org.scenario.daily_api_max}"
        return response
