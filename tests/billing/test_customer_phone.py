"""Billing customers carry their phone (matching weighs it as evidence on both sides)."""

from __future__ import annotations

from desktop_app.billing.stripe_adapter import StripeBilling
from desktop_app.billing.xero_adapter import XeroBilling


def test_stripe_customer_phone_is_read() -> None:
    with StripeBilling("sk_test_unused", base_url="http://127.0.0.1:9") as stripe:
        record = stripe.to_record({"id": "cus_1", "phone": " +1 415 555 0101 ", "address": {}, "metadata": {}})
    assert record.phone == "+1 415 555 0101"
    assert record.canonical_row()["phone"] == "+1 415 555 0101"


def test_xero_default_phone_is_written_with_its_calling_code() -> None:
    phones = [{"PhoneType": "MOBILE", "PhoneNumber": "7700 900123", "PhoneCountryCode": "44"},
              {"PhoneType": "DEFAULT", "PhoneNumber": "7946 0000", "PhoneAreaCode": "20", "PhoneCountryCode": "44"}]
    with XeroBilling("unused", "tenant", base_url="http://127.0.0.1:9") as xero:
        assert xero.to_record({"ContactID": "c1", "Phones": phones}).phone == "+44 20 7946 0000"
        assert xero.to_record({"ContactID": "c2", "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": ""}]}).phone == ""
