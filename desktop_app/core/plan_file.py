"""The plan as a JSON file a person can review, diff and hand to a colleague.

Layout: one header key per line (sorted), then ``"links"`` last with one link per line, keys sorted,
so two plans diff line by line. ``plan_id`` is a hash of the links: a run remembers it, so ``resume``
can tell when the plan file was edited after the run started.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, cast

from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.core.plan import LABEL_KEYS, POLICIES, Plan, PlanError, PlanLink, PlanSource, Policy, SidePlan

FORMAT = "crosslink-plan"
VERSION = 1
_ACTIONS = ("set", "skip", "conflict")


def link_record(link: PlanLink) -> dict[str, Any]:
    """One link as stored in the file."""
    record: dict[str, Any] = {
        "row": link.row,
        "account_id": link.account_id,
        "customer_id": link.customer_id,
        "account": link.account.as_dict(),
        "customer": link.customer.as_dict(),
    }
    for key in ("note", "match_status", "score", *LABEL_KEYS):
        if getattr(link, key):
            record[key] = getattr(link, key)
    return record


def plan_id(plan: Plan) -> str:
    """A short stable hash of the links and policy (not of the creation time or file names)."""
    digest = hashlib.sha256(plan.policy.encode())
    for link in plan.links:
        digest.update(json.dumps(link_record(link), sort_keys=True).encode())
        digest.update(b"\n")
    return digest.hexdigest()[:16]


def header(plan: Plan) -> dict[str, Any]:
    """Everything in the file except the links."""
    source = plan.source
    return {
        "format": FORMAT,
        "version": VERSION,
        "plan_id": plan_id(plan),
        "created_at": plan.created_at,
        "policy": plan.policy,
        "statuses": list(plan.statuses),
        "source": {
            "matches_file": source.matches_file,
            "link_field": source.link_field,
            "billing_system": source.billing_system,
            "billing_link_key": source.billing_link_key,
            "values_from": source.values_from,
            **dict(source.extra),
        },
        "counts": plan.counts(),
        **({"normalize_ids": True} if plan.normalize_ids else {}),
    }


def dumps(plan: Plan) -> str:
    """The plan file's text."""
    lines = ["{"]
    for key, value in sorted(header(plan).items()):
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, sort_keys=True, ensure_ascii=False)},")
    links = [json.dumps(link_record(link), sort_keys=True, ensure_ascii=False) for link in plan.links]
    if links:
        lines.append('  "links": [')
        lines.append(",\n".join(f"    {text}" for text in links))
        lines.append("  ]")
    else:
        lines.append('  "links": []')
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_plan(plan: Plan, path: Path) -> Path:
    """Write the plan file (atomically: a half-written plan never replaces a good one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(dumps(plan), encoding="utf-8")
    temporary.replace(path)
    return path


def _side(raw: Any, where: str) -> SidePlan:
    if not isinstance(raw, dict) or raw.get("action") not in _ACTIONS:
        raise PlanError(f"{where}: expected an object with action set, skip or conflict.")
    return SidePlan(cast(Any, raw["action"]), str(raw.get("before") or ""), str(raw.get("after") or ""))


def loads(text: str, name: str = "plan") -> Plan:
    """Parse a plan file's text; ``PlanError`` names the link row that is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise PlanError(f"{name} is not valid JSON (line {error.lineno}): {error.msg}.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PlanError(f"{name} is not a Crosslink plan (build one with 'desktop-app plan').")
    if data.get("policy") not in POLICIES:
        raise PlanError(f"{name}: unknown policy {data.get('policy')!r}.")
    links: list[PlanLink] = []
    for position, raw in enumerate(data.get("links") or [], start=1):
        where = f"{name}, link {position}"
        if not isinstance(raw, dict) or not raw.get("account_id") or not raw.get("customer_id"):
            raise PlanError(f"{where}: account_id and customer_id are required.")
        links.append(
            PlanLink(
                row=position,
                account_id=str(raw["account_id"]),
                customer_id=str(raw["customer_id"]),
                account=_side(raw.get("account"), where + " (account)"),
                customer=_side(raw.get("customer"), where + " (customer)"),
                note=str(raw.get("note") or ""),
                match_status=str(raw.get("match_status") or ""),
                score=str(raw.get("score") or ""),
                account_name=str(raw.get("account_name") or ""),
                customer_name=str(raw.get("customer_name") or ""),
                account_row=str(raw.get("account_row") or ""),
                customer_row=str(raw.get("customer_row") or ""),
            )
        )
    src = data.get("source") or {}
    known = {"matches_file", "link_field", "billing_system", "billing_link_key", "values_from"}
    source = PlanSource(
        matches_file=str(src.get("matches_file") or ""),
        link_field=str(src.get("link_field") or DEFAULT_LINK_FIELD),
        billing_system=str(src.get("billing_system") or ""),
        billing_link_key=str(src.get("billing_link_key") or ""),
        values_from=str(src.get("values_from") or ""),
        extra={k: str(v) for k, v in src.items() if k not in known},
    )
    policy: Policy = data["policy"]
    return Plan(
        tuple(links),
        policy,
        source,
        str(data.get("created_at") or ""),
        tuple(str(s) for s in data.get("statuses") or ()),
        data.get("normalize_ids") is True,
    )


def read_plan(path: Path) -> Plan:
    """Read a plan file; ``PlanError`` when it is missing or damaged."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PlanError(f"Cannot read the plan {path}: {error.strerror or error}.") from None
    return loads(text, str(path))

