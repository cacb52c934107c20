"""sObject Collections updates: up to 200 records per ``PATCH /composite/sobjects`` call (through
simple-salesforce's ``restful``, which has no helper of its own for it)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.salesforce.bulk import RESULT_COLUMNS
from desktop_app.salesforce.transport import Transport

BATCH_SIZE = 200


def collections_update(
    transport: Transport,
    values: pd.DataFrame,
    field: str,
    *,
    sobject: str,
    cancel: CancelToken,
    progress: ProgressCallback = ignore_progress,
) -> pd.DataFrame:
    """Write ``values`` (columns Id, value; ``""`` clears) into ``field``, ``allOrNone`` false.

    Returns one row per input record (``RESULT_COLUMNS``) in input order. A call whose answer was lost
    raises ``WriteOutcomeUnknown`` (nothing is re-sent blindly).
    """
    rows: list[tuple[str, bool, str, str]] = []
    total = len(values)
    ids = values["Id"].tolist()
    texts = values["value"].tolist()
    for start in range(0, total, BATCH_SIZE):
        cancel.raise_if_cancelled()
        chunk_ids = ids[start : start + BATCH_SIZE]
        records = [
            {"attributes": {"type": sobject}, "id": record_id, field: value if value != "" else None}
            for record_id, value in zip(chunk_ids, texts[start : start + BATCH_SIZE], strict=True)
        ]
        body = {"allOrNone": False, "records": records}
        answer: list[dict[str, Any]] = transport.call(
            lambda sf, body: sf.restful("composite/sobjects", method="PATCH", json=body),
            body,
            what=f"updating {sobject} records",
            write=True,
            cancel=cancel,
        )
        for record_id, outcome in zip(chunk_ids, answer, strict=True):
            errors = outcome.get("errors") or []
            first = errors[0] if errors else {}
            rows.append(
                (
                    record_id,
                    bool(outcome.get("success")),
                    str(first.get("statusCode", "")),
                    str(first.get("message", "")),
                )
            )
        progress(Progress(len(rows), total, f"Wrote {len(rows):,} of {total:,} records"))
    return pd.DataFrame(rows, columns=RESULT_COLUMNS).astype(
        {"Id": object, "success": bool, "error_code": object, "message": object}
    )
