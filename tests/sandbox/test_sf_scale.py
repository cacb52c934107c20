"""The sandbox org at scale: a large org loads quickly and Bulk query pages stream every row once."""

from __future__ import annotations

import csv
import io

import pytest

from desktop_app.sandbox.salesforce import start_salesforce_sandbox


@pytest.mark.slow
def test_large_org_streams_bulk_query_pages(tmp_path, client) -> None:
    with start_salesforce_sandbox(accounts=100_000, workdir=tmp_path / "big") as sandbox:
        sf = client(sandbox)
        assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 100_000
        pages = list(
            sf.bulk2.Account.query("SELECT Id, Billing_Customer_ID__c FROM Account", max_records=40_000, wait=0.2)
        )
        assert len(pages) == 3
        ids = [row["Id"] for page in pages for row in csv.DictReader(io.StringIO(page))]
        assert len(ids) == len(set(ids)) == 100_000
        first = sf.query("SELECT Id, Name FROM Account ORDER BY Name DESC LIMIT 3")["records"]
        names = [r["Name"].casefold() for r in first]
        assert names == sorted(names, reverse=True)
