"""Files only: the Done page repeats the dry run's figures in the Plan page's own sentences."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QTextDocumentFragment

from desktop_app.core.roles import Side
from desktop_app.gui.pages import PAGE_IDS
from desktop_app.gui.state import Journey

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def shown(label) -> str:
    return QTextDocumentFragment.fromHtml(label.text()).toPlainText()


def test_done_says_the_plan_as_the_plan_page_said_it(wizard, wait_idle) -> None:
    welcome = wizard.page_for("welcome")
    welcome.files_button.setChecked(True)
    welcome.journey_buttons[Journey.LINK].setChecked(True)
    wizard.next()
    load = wizard.page_for("load")
    load.slots[Side.ACCOUNTS].load(SAMPLES / "salesforce_accounts_export.csv")
    load.slots[Side.CUSTOMERS].load(SAMPLES / "stripe_customers_export.csv")
    wait_idle(load)
    for key in ("match", "quality", "plan", "done"):
        wizard.next()
        assert wizard.currentId() == PAGE_IDS[key], wizard.currentPage().error_line.text()
        wait_idle(wizard.currentPage())
        if key == "match":  # the account holding company 9's id is given its own customer: its field keeps the other
            match = wizard.page_for("match")
            frame = match.model.frame
            position = int(frame.index[(frame["status"] == "conflict") & (frame["account_id"] != "")][0])
            name = wizard.state.match_run.accounts.frame.set_index("account_id").at[
                frame.at[position, "account_id"], "name"]
            customers = wizard.state.match_run.customers.frame
            match.select_position(position)
            match._choose(position, str(customers.loc[customers["name"] == name, "customer_id"].iat[0]), typed=False)
            wait_idle(match)
    plan_lines = shown(wizard.page_for("plan").summary).splitlines()
    assert plan_lines[2].startswith("Billing customers: ")
    assert plan_lines[3].startswith("1 of the 20 pairs cannot end linked on both sides")
    assert "(1 of the skipped keeps another id)" in plan_lines[1]
    done = shown(wizard.page_for("done").summary)
    assert "The plan (dry run): " + " ".join(plan_lines) in done
