"""The Sequence sandbox itself: demo seeding, auth, errors in Sequence's shape, idempotent PUTs."""

from __future__ import annotations

from pathlib import Path

import requests
from billing_support import ACCOUNT_A, sequence_customer

from desktop_app.sandbox.demo_data import generate
from desktop_app.sandbox.sequence import RunningSequenceSandbox, start_sequence_sandbox

VERSION = {"Sequence-Version": "2024-07-30"}


def _get(sandbox: RunningSequenceSandbox, path: str, **kwargs: object) -> requests.Response:
    kwargs.setdefault("auth", (sandbox.client_id, sandbox.client_secret))
    return requests.get(f"{sandbox.url}{path}", verify=str(sandbox.ca_cert), headers=VERSION, timeout=10,
                        **kwargs)  # type: ignore[arg-type]


def _put(sandbox: RunningSequenceSandbox, path: str, body: object, key: str | None = None) -> requests.Response:
    headers = {**VERSION, **({"Idempotency-Key": key} if key else {})}
    return requests.put(f"{sandbox.url}{path}", json=body, verify=str(sandbox.ca_cert), headers=headers,
                        auth=(sandbox.client_id, sandbox.client_secret), timeout=10)


def test_seeded_from_the_demo_data_with_realistic_mess(tmp_path: Path) -> None:
    demo = generate(300, seed=11).customers
    with start_sequence_sandbox(customers=300, seed=11, workdir=tmp_path) as sandbox:
        items = []
        after = None
        while True:
            page = _get(sandbox, "/customers", params={"limit": 100, **({"after": after} if after else {})}).json()
            items += page["items"]
            after = page["pagination"]["after"]
            if not after:
                break
        assert page["pagination"]["totalResultSize"] == len(demo)
    assert [c["id"] for c in items] == demo["customer_id"].tolist()
    countries = [(c["address"] or {}).get("country", "") for c in items]
    assert any(len(code) == 3 and code.isupper() for code in countries)  # alpha-3 codes mixed in
    linked = {c["id"]: c["integrationIds"][0]["id"] for c in items if c["integrationIds"]}
    expected = {r.customer_id: r.sf_account_id for r in demo.itertuples() if r.sf_account_id}
    assert linked == expected
    assert {c["integrationIds"][0]["service"] for c in items if c["integrationIds"]} == {"Salesforce"}


def test_wrong_credentials_get_401_in_sequence_error_shape(sequence_sandbox: RunningSequenceSandbox) -> None:
    answer = _get(sequence_sandbox, "/customers", auth=(sequence_sandbox.client_id, "nope"))
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "UNAUTHORIZED"
    assert sequence_sandbox.client_secret not in repr(sequence_sandbox)


def test_bad_requests_are_answered_with_field_errors(sequence_sandbox: RunningSequenceSandbox) -> None:
    assert _get(sequence_sandbox, "/customers", params={"limit": 101}).status_code == 400
    assert _get(sequence_sandbox, "/customers", params={"after": "bm9wZQ=="}).status_code == 400
    assert _get(sequence_sandbox, "/customers/cust-9999").status_code == 404
    body = sequence_customer(1, legalName="", address={"line1": "x", "town": "y", "postcode": "z", "country": "UK"})
    answer = _put(sequence_sandbox, "/customers/cust-0001", body)
    assert answer.status_code == 400
    fields = {f["field"] for f in answer.json()["error"]["fields"]}
    assert fields == {"legalName", "address.country"}
    assert sequence_sandbox.counters.writes == {}


def test_a_repeated_idempotency_key_replays_the_answer_without_writing_again(
    sequence_sandbox: RunningSequenceSandbox,
) -> None:
    body = sequence_customer(2, integrationIds=[{"service": "Salesforce", "id": ACCOUNT_A}])
    first = _put(sequence_sandbox, "/customers/cust-0002", body, key="k-1")
    second = _put(sequence_sandbox, "/customers/cust-0002", body, key="k-1")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert sequence_sandbox.counters.writes["cust-0002"] == 1
    assert sequence_sandbox.counters.idempotent_replays == 1
    assert sequence_sandbox.store.link_of("cust-0002", "Salesforce") == ACCOUNT_A
