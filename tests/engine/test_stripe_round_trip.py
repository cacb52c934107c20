"""Apply and undo against localstripe (the Stripe adapter) and the sandbox org."""

from __future__ import annotations

import pandas as pd
import pytest
from engine_sandboxes import salesforce_side

from desktop_app.billing.stripe_adapter import StripeBilling
from desktop_app.core.journal import Journal
from desktop_app.sandbox.demo_data import generate
from desktop_app.sandbox.localstripe_runner import start_localstripe
from desktop_app.sandbox.salesforce import start_salesforce_sandbox
from desktop_app.workflow.engine import start_apply, start_undo
from desktop_app.workflow.link_sides import BillingSide, LinkSide, close_sides
from desktop_app.workflow.plan import plan_from_live


@pytest.mark.timeout(200)
def test_stripe_apply_then_undo_round_trips() -> None:
    data = generate(60, seed=11)
    sf = start_salesforce_sandbox(data=data)
    stripe_server = start_localstripe(persist=False)
    sides: dict[str, LinkSide] = {}
    try:
        truth = data.truth.head(30)
        rows = data.customers.set_index("customer_id").loc[truth["customer_id"]].reset_index()
        rows["sf_account_id"] = ""
        rows.loc[:4, "sf_account_id"] = "0015g0000PREVIOUS"  # five customers already hold a value
        stripe_ids = stripe_server.create_customers(
            [{str(k): v for k, v in r.items()} for r in rows.to_dict("records")]
        )
        matches = pd.DataFrame(
            {"account_id": truth["account_id"].tolist(), "customer_id": stripe_ids, "status": "matched"}, dtype=object
        )
        billing = StripeBilling(stripe_server.api_key, base_url=stripe_server.url, run_id="stripe-run")
        sides = {"account": salesforce_side(sf), "customer": BillingSide(billing)}
        before_customers = sides["customer"].read(stripe_ids)
        before_accounts = sides["account"].read(truth["account_id"].tolist())
        plan = plan_from_live(matches, sides, policy="overwrite")
        with Journal() as journal:
            applied = start_apply(journal, plan, sides)
            assert applied.state == "done"
            assert applied.verification is not None
            assert applied.verification.sentence() == "30 of 30 links verified on both sides"
            assert sides["customer"].read(stripe_ids[:1]) == {stripe_ids[0]: truth["account_id"].iloc[0]}
            undone = start_undo(journal, applied.run_id, sides)
        assert undone.pairs == {"restored": 30}
        assert sides["customer"].read(stripe_ids) == before_customers
        assert sides["account"].read(truth["account_id"].tolist()) == before_accounts
    finally:
        close_sides(sides)
        stripe_server.stop()
        sf.stop()
