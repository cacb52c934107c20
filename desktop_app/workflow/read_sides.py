"""Read the link fields of both sides at once: the Salesforce side's read (a Bulk query the org
runs on its own time) and the billing side's (list pages, one after another) overlap instead of
adding up. Plan and verify both read every chosen record of both sides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from desktop_app.core.progress import CancelToken
from desktop_app.workflow.link_sides import LinkSide


def read_both_sides(sides: Mapping[str, LinkSide], record_ids: Mapping[str, Sequence[str]],
                    cancel: CancelToken | None = None) -> dict[str, dict[str, str]]:
    """``{"account": …, "customer": …}``: each side's stored values of its ``record_ids``. The Account
    side is read on a thread of its own while the customer side is read here; when either fails, the
    Account side's error is raised first, as when they were read one after the other."""
    with ThreadPoolExecutor(1, thread_name_prefix="read-accounts") as reader:
        accounts = reader.submit(sides["account"].read, record_ids["account"], cancel=cancel)
        try:
            customers = sides["customer"].read(record_ids["customer"], cancel=cancel)
        except BaseException:
            accounts.result()  # its error, if any, goes first
            raise
        return {"account": accounts.result(), "customer": customers}
