"""Data quality and Plan pages show the billing system's own rules (issue 14): a QuickBooks Online
DisplayName held twice is listed on both rows, each naming the other, and blocks Write on Plan."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from desktop_app.gui.pages.quality import QualityPage
from desktop_app.gui.state import Journey, WizardState
from desktop_app.sandbox.quickbooks import customers_from_rows, start_quickbooks_sandbox
from desktop_app.workflow.connect_billing import BillingChoice, check_connection
from desktop_app.workflow.match import match_files


def _accounts(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["Id", "Name", "BillingCity", "BillingCountry"],
                                      ["001000000000001AAA", "Acme Ltd", "London", "GB"],
                                      ["001000000000002AAA", "Bolt GmbH", "Berlin", "DE"]])
    return path


def test_quality_page_lists_a_quickbooks_duplicate_display_name_on_both_rows(qtbot, wait_idle, tmp_path: Path) -> None:
    rows = [{"name": name, "city": city, "country": country, "street": "1 High St", "postcode": "EC1A 1BB"}
            for name, city, country in (("Acme Ltd", "London", "GB"), ("Bolt GmbH", "Berlin", "DE"),
                                        ("Cato Inc", "Austin", "US"))]
    customers = customers_from_rows(rows, messy=False)
    customers[2]["DisplayName"] = "ACME LTD "  # QuickBooks compares names ignoring case and spaces around
    sandbox = start_quickbooks_sandbox(customers, workdir=tmp_path)
    try:
        connection = check_connection(BillingChoice(
            "quickbooks", base_url=sandbox.url, ca_cert=str(sandbox.ca_cert),
            credentials={"access_token": sandbox.access_token, "realm_id": sandbox.realm_id}))
        frame = connection.system.customers_frame()
        customers_csv = tmp_path / "billing_customers.csv"
        frame.drop(columns=["source_row"]).rename(columns={"customer_id": "id"}).to_csv(customers_csv, index=False)
        rules = connection.system.capabilities.customer_requirements
        state = WizardState(journey=Journey.LINK)
        state.billing = connection
        state.match_run = match_files(_accounts(tmp_path / "accounts.csv"), customers_csv,
                                      customer_requirements=rules, billing_name=connection.system.display_name)
        quality = QualityPage(state)
        qtbot.addWidget(quality)
        quality.initializePage()
        wait_idle(quality)
        problems = quality.model.frame
        duplicates = problems[problems["code"] == "duplicate_name"]
        assert list(duplicates["row"]) == [2, 4]
        assert list(duplicates["name"]) == ["Acme Ltd", "ACME LTD"]
        assert set(duplicates["severity"]) == {"error"}
        assert "QuickBooks Online refuses a second customer with the display name 'Acme Ltd' (also row 4)" \
            in duplicates["problem"].iat[0]
        assert "(also row 2)" in duplicates["problem"].iat[1]
        assert "DisplayName must be unique across customers, vendors and employees" in duplicates["problem"].iat[0]
        kind = quality.kind_filter.findData("code=duplicate_name")
        assert quality.kind_filter.itemText(kind) == "QuickBooks Online: Display name shared with another customer (2)"
        quality.kind_filter.setCurrentIndex(kind)
        assert list(problems.iloc[quality.model.view_positions()]["row"]) == [2, 4]
        assert "QuickBooks Online will refuse the link of those that break what it requires: " \
               "2 share a display name with another." in quality.summary.text()
        assert isinstance(problems, pd.DataFrame)
    finally:
        connection.close()
        sandbox.stop()
