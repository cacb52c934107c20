"""Preflight: is this org fit to hold the links? Each check says what it found, why it matters and
what to click in Setup to fix it."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Literal

from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.salesforce import preflight_checks as checks
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.errors import ApiDisabled, RequestLimitExceeded, SalesforceError
from desktop_app.salesforce.preflight_checks import planned_usage

Status = Literal["pass", "warn", "fail", "not_checked"]
__all__ = ["DATA_CHECKS", "CheckResult", "planned_usage", "run_preflight"]
# The checks that depend on the data rather than the org alone: "not checked yet" until it is known.
DATA_CHECKS = ("link_field_length", "currencies", "api_limits", "managed_package")
LATER_IN_WIZARD = "It runs once the billing customers are loaded, on the Plan page, before anything is written."


@dataclass(frozen=True)
class CheckResult:
    """One preflight finding, in words a Salesforce admin can act on."""

    key: str
    title: str
    status: Status
    explanation: str
    remedy: str
    setup_url: str | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PreflightInput:
    """What the checks need to know about the planned job."""

    link_field: str
    billing_currencies: tuple[str, ...] | None  # None: not known yet (the check says "not checked yet")
    longest_billing_id: int | None
    planned_writes: int | None
    expected_package_namespace: str | None
    bulk_threshold: int
    billing_system: str | None = None  # its name, when known (no namespace then means none is needed)
    later: str = LATER_IN_WIZARD  # when a check whose input is missing will run


@dataclass
class OrgFacts:
    """What the checks read from the org once and share (filled lazily)."""

    client: SalesforceClient
    account_describe: dict[str, Any] | None = None

    def account(self) -> dict[str, Any]:
        """The Account describe (read once)."""
        if self.account_describe is None:
            self.account_describe = self.client.describe("Account")
        return self.account_describe

    def account_field(self, name: str) -> dict[str, Any] | None:
        """The describe entry of an Account field (case-insensitive), or None."""
        for entry in self.account().get("fields", []):
            if str(entry.get("name", "")).lower() == name.lower():
                return dict(entry)
        return None


Check = Callable[[OrgFacts, PreflightInput], checks.Found]


def run_preflight(
    client: SalesforceClient,
    *,
    link_field: str,
    billing_currencies: Collection[str] | None = None,
    longest_billing_id: int | None = None,
    planned_writes: int | None = None,
    expected_package_namespace: str | None = None,
    billing_system: str | None = None,
    later: str = LATER_IN_WIZARD,
    only: Collection[str] | None = None,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> list[CheckResult]:
    """Run every check (or the ``only`` ones) against the org and return one result per check, in a
    fixed order.

    An input left None is not known yet: the checks that need it (``DATA_CHECKS``) say "not checked
    yet" and ``later`` (when they will run), never "pass".

    When the API itself is not usable only that result is returned (nothing else can be read).
    A check that cannot read what it needs reports ``warn`` saying so, except running out of API
    requests, which is a ``fail``.
    """
    cancel = cancel or CancelToken()
    wanted = PreflightInput(
        link_field=link_field,
        billing_currencies=None if billing_currencies is None else tuple(
            sorted({c.strip().upper() for c in billing_currencies if c.strip()})),
        longest_billing_id=longest_billing_id,
        planned_writes=planned_writes,
        expected_package_namespace=expected_package_namespace,
        bulk_threshold=client.bulk_threshold,
        billing_system=billing_system,
        later=later,
    )
    facts = OrgFacts(client)
    plan: list[tuple[str, str, Check]] = [
        ("api_access", "API access", checks.api_access),
        ("link_field_exists", "Link field exists on Account", checks.link_field_exists),
        ("link_field_type", "Link field can hold a billing id", checks.link_field_type),
        ("link_field_length", "Link field is long enough", checks.link_field_length),
        ("link_field_editable", "You can edit the link field", checks.link_field_editable),
        ("link_field_unique", "Link field is unique", checks.link_field_unique),
        ("currencies", "Currencies", checks.currencies),
        ("validation_rules", "Validation rules on Account", checks.validation_rules),
        ("required_fields", "Required fields on Account", checks.required_fields),
        ("api_limits", "API requests left today", checks.api_limits),
        ("managed_package", "Billing vendor's package", checks.managed_package),
    ]
    if only is not None:
        plan = [entry for entry in plan if entry[0] in only]
    results: list[CheckResult] = []
    for done, (key, title, check) in enumerate(plan):
        cancel.raise_if_cancelled()
        progress(Progress(done, len(plan), f"Checking: {title}"))
        try:
            found = check(facts, wanted)
        except ApiDisabled as error:
            results.append(
                CheckResult(
                    key,
                    title,
                    "fail",
                    str(error),
                    checks.API_REMEDY,
                    checks.API_SETUP_URL,
                    {"code": error.code},
                )
            )
            if key == "api_access":
                break
            continue
        except RequestLimitExceeded as error:
            found = checks.Found(
                "fail",
                str(error),
                "Wait until the 24-hour window frees requests.",
                "/lightning/setup/CompanyProfileInfo/home",
                {"code": error.code},
            )
        except SalesforceError as error:
            found = checks.Found(
                "warn",
                f"Crosslink could not check this: {error}",
                "Check it by hand in Setup, or log in as a user with View Setup.",
                None,
                {"code": error.code},
            )
        results.append(
            CheckResult(key, title, found.status, found.explanation, found.remedy, found.setup_url, found.details)
        )
        if key == "api_access" and found.status == "fail":
            break
    progress(Progress(len(plan), len(plan), "Checks done"))
    return results
