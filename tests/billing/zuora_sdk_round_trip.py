"""zuora-sdk against the Zuora sandbox, as a consultant's script would use it: sign in with client
credentials, page through the accounts, read one, write its CRM id, read it back, filter on it and
let the SDK parse Zuora's "200 with success false" error.

Run by tests/billing/test_vendor_sdks.py with the python of .venv-zuora (scripts/zuora-sdk-venv.sh):
zuora-sdk's pins conflict with the dev extra. Arguments: one JSON object with url, ca_cert,
client_id, client_secret and account_id. Exits 1 with the failed check's message.
"""

from __future__ import annotations

import json
import sys
import warnings


def round_trip(url: str, ca_cert: str, client_id: str, client_secret: str, account_id: str) -> None:
    from zuora_sdk import Configuration
    from zuora_sdk.models import UpdateAccountRequest
    from zuora_sdk.zuora_client import ZuoraClient

    configuration = Configuration(host=url)
    configuration.ssl_ca_cert = ca_cert
    client = ZuoraClient(client_id, client_secret, None, configuration)
    client.set_retry_config(1, 1)  # one attempt: no retry sleeps
    # Client credentials, as initialize() does but without its ten-minute refresh thread; the SDK
    # prints and carries on without a token when the sign-in is refused.
    client.refresh_token()
    assert client.token["access_token"], "zuora-sdk could not sign in (it checks a 36-character client id)"
    ids: list[str] = []
    cursor, pages = None, 0
    while True:
        answer = client.object_queries_api().query_accounts(page_size=50, expand=["billTo"],
                                                             **({"cursor": cursor} if cursor else {}))
        ids += [a.id for a in answer.data]
        pages, cursor = pages + 1, answer.next_page
        if not cursor:
            break
    assert (len(ids), pages) == (120, 3), f"paging gave {len(ids)} accounts in {pages} pages, not 120 in 3"
    assert answer.data[0].bill_to.country == "United States", "the expanded billTo lost its country"

    target = ids[13]
    before = client.accounts_api().get_account(target)
    assert before.success, "reading one account failed"
    assert before.basic_info.name == "Company 13", f"read {before.basic_info.name!r}"
    assert client.accounts_api().update_account(target, UpdateAccountRequest(crm_id=account_id)).success
    assert client.accounts_api().get_account(target).basic_info.crm_id == account_id, "the CRM id was not kept"

    queries = client.object_queries_api()
    found = [a.id for a in queries.query_accounts(page_size=50, filter=[f"crmid.EQ:{account_id}"]).data]
    assert found == [target], f"filter on the CRM id gave {found}"
    starting = queries.query_accounts(page_size=50, filter=["name.SW:Company 11"]).data
    assert len(starting) == 11, f"name.SW gave {len(starting)} accounts, not 11 (11, 110-119)"

    missing = client.accounts_api().get_account("no-such-account")  # Zuora answers 200 with success false
    assert not missing.success, "an unknown account read as a success"
    assert [r.code for r in missing.reasons] == [50000040], f"reasons {missing.reasons}"


if __name__ == "__main__":
    arguments = json.loads(sys.argv[1])
    with warnings.catch_warnings():
        # zuora-sdk 3 calls pydantic APIs deprecated since V2 (``construct``, ``model_fields`` on instances).
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            round_trip(**arguments)
        except AssertionError as failure:
            print(f"zuora-sdk round trip failed: {failure}", file=sys.stderr)
            sys.exit(1)
    print("ok")
