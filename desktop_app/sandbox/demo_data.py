"""Deterministic, realistic, messy onboarding data with ground truth, for the demo mode, the sandbox
servers and the matching benchmark.

``generate(n)`` invents ``n`` Salesforce Accounts, the billing customers of most of them (named,
addressed and linked the imperfect ways real systems are) and the true account↔customer pairs.
Everything is drawn column-wise from one seeded ``numpy`` generator: the same arguments always give
identical frames, and a million accounts take a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from desktop_app.core.ids import to_18_series
from desktop_app.core.roles import ACCOUNT_ROLES, CONTACT_ROLES, CUSTOMER_ROLES, SOURCE_ROW
from desktop_app.sandbox.demo_companies import NUMBER_TEXT, invent_companies
from desktop_app.sandbox.demo_noise import (
    account_country_spellings,
    acronym_names,
    customer_country_spellings,
    messy_account_ids,
    vary_names,
)
from desktop_app.sandbox.demo_vocabulary import FAMILY_NAMES, FREE_MAIL, GIVEN_NAMES

_BASE36 = np.frombuffer(b"0123456789abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
_LOWER_GIVEN = np.array([g.lower() for g in GIVEN_NAMES], dtype=object)
_LOWER_FAMILY = np.array([f.lower() for f in FAMILY_NAMES], dtype=object)
_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)


@dataclass(frozen=True)
class DemoData:
    """Canonical frames (every column text, "" when missing) plus the true links."""

    accounts: pd.DataFrame  # ACCOUNT_ROLES + source_row
    customers: pd.DataFrame  # CUSTOMER_ROLES + source_row
    contacts: pd.DataFrame  # CONTACT_ROLES: billing contacts of accounts (account_id = 18-char id)
    truth: pd.DataFrame  # account_id, customer_id


def salesforce_ids(rng: np.random.Generator, n: int, key_prefix: str, prefix_org: str) -> np.ndarray:
    """``n`` distinct valid 18-character ids ``key_prefix + prefix_org + …`` in mixed case.

    Distinct also case-insensitively in their 15-character form (no accidental Excel collisions).
    """
    head = key_prefix + prefix_org
    tail_len = 15 - len(head)
    if tail_len < 4 or not head.isalnum() or not head.isascii():
        raise ValueError(f"prefix {head!r} must be ASCII letters/digits, at most 11 characters")
    space = 36**tail_len
    if n > space // 4:
        raise ValueError(f"cannot make {n} distinct ids with prefix {head!r}")
    numbers = rng.choice(space, size=n, replace=False) if n else np.zeros(0, dtype=np.int64)
    digits = np.empty((n, tail_len), dtype=np.uint8)
    for position in range(tail_len - 1, -1, -1):
        numbers, digit = np.divmod(numbers, 36)
        digits[:, position] = _BASE36[digit]
    upper = (digits >= ord("a")) & (rng.random(digits.shape) < 0.5)
    digits[upper] -= 32
    head_bytes = np.frombuffer(head.encode("ascii"), dtype=np.uint8)
    body = np.concatenate([np.broadcast_to(head_bytes, (n, len(head))), digits], axis=1)
    ids15 = np.ascontiguousarray(body).view("S15").ravel().astype(str)
    result: np.ndarray = to_18_series(pd.Series(ids15, dtype=object)).to_numpy(dtype=object, copy=True)
    return result


def _add_case_collisions(rng: np.random.Generator, ids: np.ndarray, pairs: int) -> None:
    """Make ``pairs`` ids differ from another id only by the case of one letter (in place)."""
    sample = rng.choice(len(ids), size=min(len(ids), 8 * pairs), replace=False)
    has_letter = np.array([any(ch.isalpha() for ch in ids[i][9:15]) for i in sample], dtype=bool)
    candidates = sample[has_letter]
    chosen = candidates[: min(2 * pairs, len(candidates)) // 2 * 2]
    for original, copy in chosen.reshape(-1, 2):
        text = ids[original][:15]
        letters = [i for i in range(9, 15) if text[i].isalpha()]
        i = letters[int(rng.integers(0, len(letters)))]
        ids[copy] = text[:i] + text[i].swapcase() + text[i + 1 :]
    ids[chosen] = to_18_series(pd.Series(ids[chosen], dtype=object)).to_numpy(dtype=object)


def customer_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct Stripe-like ids ``cus_`` + 14 base62 characters."""
    out = np.empty(0, dtype=object)
    while len(out) < n:
        raw = _BASE62[rng.integers(0, 62, size=(n - len(out), 14))]
        fresh = np.char.add("cus_", np.ascontiguousarray(raw).view("S14").ravel().astype(str))
        out = pd.unique(np.concatenate([out, fresh.astype(object)]))
    return out


def _web_forms(rng: np.random.Generator, domains: np.ndarray, present: float) -> np.ndarray:
    forms = np.array(["https://www.", "http://www.", "www.", "", "https://"], dtype=object)
    endings = np.array(["", "/", "/en/", "", ""], dtype=object)
    pick = rng.integers(0, len(forms), size=len(domains))
    out = forms[pick] + domains + endings[rng.integers(0, len(endings), size=len(domains))]
    out[rng.random(len(domains)) >= present] = ""
    result: np.ndarray = out
    return result


def _emails(rng: np.random.Generator, domains: np.ndarray, free_share: float, present: float) -> np.ndarray:
    n = len(domains)
    roles = np.array(["billing", "accounts", "finance", "invoices", "ap", "info"], dtype=object)
    given = _LOWER_GIVEN[rng.integers(0, len(GIVEN_NAMES), n)]
    family = _LOWER_FAMILY[rng.integers(0, len(FAMILY_NAMES), n)]
    person = given + "." + family
    local = np.where(rng.random(n) < 0.6, roles[rng.integers(0, len(roles), n)], person)
    free = rng.random(n) < free_share
    digits = NUMBER_TEXT[rng.integers(1, 999, n)]
    freemail = np.array(FREE_MAIL, dtype=object)[rng.integers(0, len(FREE_MAIL), n)]
    out = np.where(free, person + digits + "@" + freemail, local + "@" + domains).astype(object)
    out[rng.random(n) >= present] = ""
    result: np.ndarray = out
    return result


def _blank(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    out = values.copy()
    out[rng.random(len(out)) < share] = ""
    return out


def _frame(columns: dict[str, np.ndarray], roles: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame({role: np.asarray(columns[role], dtype=object) for role in roles}, dtype=object)
    frame[SOURCE_ROW] = np.arange(2, len(frame) + 2)
    return frame


def generate(
    n_accounts: int, *, seed: int = 7, customer_ratio: float = 0.9, prefix_org: str = "5g0000"
) -> DemoData:
    """Invent ``n_accounts`` accounts and about ``customer_ratio × n_accounts`` customers.

    Of the customers, ~5% have no account; the rest belong to one account each (``truth``).
    About 0.3% of accounts duplicate another account's company; some links already exist on one
    or both sides (some in another id format, some conflicting or dangling).
    """
    if n_accounts < 0 or customer_ratio < 0:
        raise ValueError("n_accounts and customer_ratio must not be negative")
    rng = np.random.default_rng(seed)
    n_customers = round(n_accounts * customer_ratio)
    n_duplicates = n_accounts // 300
    n_primary = n_accounts - n_duplicates
    n_linked = min(n_customers - n_customers // 20, n_primary)
    n_orphans = n_customers - n_linked
    companies = invent_companies(rng, n_primary + n_orphans)
    company = companies.frame

    # Accounts: one per primary company, plus duplicates of companies that have a customer.
    linked_company = np.sort(rng.choice(n_primary, size=n_linked, replace=False))
    duplicate_of = rng.choice(linked_company, size=n_duplicates) if n_linked else np.zeros(0, np.int64)
    # Rows are shuffled once, up front: position p of the accounts frame is base account acc_order[p]
    # (base accounts 0..n_primary-1 are company i's own account, the rest are duplicates).
    acc_order = rng.permutation(n_accounts)
    acc_position = np.argsort(acc_order)
    acc_company = np.concatenate([np.arange(n_primary), duplicate_of])[acc_order]
    extra_ids = max(16, n_accounts // 100)
    all_account_ids = salesforce_ids(rng, n_accounts + extra_ids, "001", prefix_org)
    account_id, ghost_account_ids = all_account_ids[:n_accounts], all_account_ids[n_accounts:]
    _add_case_collisions(rng, account_id, max(1, n_accounts // 50_000) if n_accounts >= 100 else 0)

    all_customer_ids = customer_ids(rng, n_customers + extra_ids)
    customer_id, ghost_customer_ids = all_customer_ids[:n_customers], all_customer_ids[n_customers:]
    # Base customers 0..n_linked-1 belong to linked_company, the rest are orphans; shuffled likewise.
    cust_order = rng.permutation(n_customers)
    cust_position = np.argsort(cust_order)
    cust_company = np.concatenate([linked_company, np.arange(n_primary, n_primary + n_orphans)])[cust_order]
    # Frame positions of each linked customer and of its true account (company i's own account).
    linked_customer = cust_position[:n_linked]
    true_account = acc_position[linked_company]

    acc_locale = companies.locale[acc_company]
    acc_name = company["name"].to_numpy()[acc_company].copy()
    dup_rows = acc_position[n_primary:]
    acc_name[dup_rows] = np.where(
        rng.random(n_duplicates) < 0.5,
        acc_name[dup_rows],
        np.array([s.upper() for s in acc_name[dup_rows]], dtype=object),
    )
    accounts = {
        "account_id": account_id,
        "name": acc_name,
        "website": _web_forms(rng, company["domain"].to_numpy()[acc_company], 0.75),
        "email": _emails(rng, company["domain"].to_numpy()[acc_company], 0.05, 0.3),
        "phone": _blank(rng, company["phone"].to_numpy()[acc_company], 0.3),
        "street": _blank(rng, company["street"].to_numpy()[acc_company], 0.06),
        "city": _blank(rng, company["city"].to_numpy()[acc_company], 0.03),
        "state": _blank(rng, company["state"].to_numpy()[acc_company], 0.08),
        "postcode": _blank(rng, company["postcode"].to_numpy()[acc_company], 0.07),
        "country": account_country_spellings(rng, acc_locale),
        "currency": _blank(rng, company["currency"].to_numpy()[acc_company], 0.05),
        "link_customer_id": np.full(n_accounts, "", dtype=object),
    }
    cust_name = np.concatenate(
        [
            vary_names(rng, companies, linked_company),
            company["name"].to_numpy()[n_primary : n_primary + n_orphans],
        ]
    )[cust_order]
    legal = np.where(rng.random(n_customers) < 0.3, company["name"].to_numpy()[cust_company], "")
    customers = {
        "customer_id": customer_id,
        "name": cust_name,
        "legal_name": legal.astype(object),
        "email": _emails(rng, company["domain"].to_numpy()[cust_company], 0.12, 0.9),
        "website": _web_forms(rng, company["domain"].to_numpy()[cust_company], 0.4),
        "street": _blank(rng, company["street"].to_numpy()[cust_company], 0.04),
        "city": _blank(rng, company["city"].to_numpy()[cust_company], 0.02),
        "state": _blank(rng, company["state"].to_numpy()[cust_company], 0.05),
        "postcode": _blank(rng, company["postcode"].to_numpy()[cust_company], 0.04),
        "country": customer_country_spellings(rng, companies.locale[cust_company]),
        "currency": _blank(rng, company["currency"].to_numpy()[cust_company], 0.02),
        "sf_account_id": np.full(n_customers, "", dtype=object),
        "phone": np.full(n_customers, "", dtype=object),  # billing systems rarely hold one; none drawn here
    }
    acronym_names(seed, customers["name"], customers["street"], linked_customer)
    _existing_links(
        rng, accounts, customers, true_account, linked_customer, ghost_account_ids, ghost_customer_ids
    )
    _duplicate_account_links(rng, accounts, dup_rows, acc_position[duplicate_of])

    truth = pd.DataFrame(
        {"account_id": account_id[true_account], "customer_id": customer_id[linked_customer]}, dtype=object
    )
    return DemoData(
        accounts=_frame(accounts, ACCOUNT_ROLES),
        customers=_frame(customers, CUSTOMER_ROLES),
        contacts=_contacts(rng, accounts, company["domain"].to_numpy()[acc_company], prefix_org),
        truth=truth,
    )


def _existing_links(
    rng: np.random.Generator,
    accounts: dict[str, np.ndarray],
    customers: dict[str, np.ndarray],
    true_account: np.ndarray,
    cust_rows: np.ndarray,
    ghost_accounts: np.ndarray,
    ghost_customers: np.ndarray,
) -> None:
    """Write the links some systems already hold: agreeing, one-sided, conflicting, dangling.

    ``cust_rows[k]`` is the k-th linked customer's row, ``true_account[k]`` its account's row.
    """
    n_linked = len(cust_rows)
    roll = rng.random(n_linked)
    both = roll < 0.30
    account_only = (roll >= 0.30) & (roll < 0.38)
    customer_only = (roll >= 0.38) & (roll < 0.46)
    disagree = (roll >= 0.46) & (roll < 0.464)  # account → its customer; customer → another account
    dangling_account = (roll >= 0.464) & (roll < 0.467)  # account → a customer that does not exist
    dangling_customer = (roll >= 0.467) & (roll < 0.470)  # customer → an account that does not exist
    acc_ids = accounts["account_id"]
    writes_account = both | account_only | disagree
    accounts["link_customer_id"][true_account[writes_account]] = customers["customer_id"][
        cust_rows[writes_account]
    ]
    writes_customer = both | customer_only
    customers["sf_account_id"][cust_rows[writes_customer]] = messy_account_ids(
        rng, acc_ids[true_account[writes_customer]]
    )
    others = rng.integers(0, len(acc_ids), size=int(disagree.sum()))
    others = np.where(others == true_account[disagree], (others + 1) % len(acc_ids), others)
    customers["sf_account_id"][cust_rows[disagree]] = acc_ids[others]
    if len(ghost_customers):
        accounts["link_customer_id"][true_account[dangling_account]] = ghost_customers[
            rng.integers(0, len(ghost_customers), int(dangling_account.sum()))
        ]
    if len(ghost_accounts):
        customers["sf_account_id"][cust_rows[dangling_customer]] = ghost_accounts[
            rng.integers(0, len(ghost_accounts), int(dangling_customer.sum()))
        ]
    # A few account-side links with formatting slips (upper-cased, inner space) for the identifier pass.
    slips = np.flatnonzero(account_only & (rng.random(n_linked) < 0.05))
    values = customers["customer_id"][cust_rows[slips]]
    accounts["link_customer_id"][true_account[slips]] = [
        v.upper() if k else v[:4] + " " + v[4:]
        for v, k in zip(values, rng.random(len(slips)) < 0.5, strict=True)
    ]


def _duplicate_account_links(
    rng: np.random.Generator, accounts: dict[str, np.ndarray], dup_rows: np.ndarray, twin_rows: np.ndarray
) -> None:
    """Half the duplicates of an account that holds a link copy it (one customer id on two accounts)."""
    twin_link = accounts["link_customer_id"][twin_rows]
    copies = (rng.random(len(dup_rows)) < 0.5) & (twin_link != "")
    accounts["link_customer_id"][dup_rows[copies]] = twin_link[copies]


def _contacts(
    rng: np.random.Generator, accounts: dict[str, np.ndarray], domains: np.ndarray, prefix_org: str
) -> pd.DataFrame:
    """One billing contact for ~85% of accounts, at the account's billing address."""
    has_contact = np.flatnonzero(rng.random(len(domains)) < 0.85)
    n = len(has_contact)
    given_pick = rng.integers(0, len(GIVEN_NAMES), n)
    family_pick = rng.integers(0, len(FAMILY_NAMES), n)
    given = np.array(GIVEN_NAMES, dtype=object)[given_pick]
    family = np.array(FAMILY_NAMES, dtype=object)[family_pick]
    columns = {
        "contact_id": salesforce_ids(rng, n, "003", prefix_org),
        "account_id": accounts["account_id"][has_contact],
        "name": given + " " + family,
        "email": _LOWER_GIVEN[given_pick] + "." + _LOWER_FAMILY[family_pick] + "@" + domains[has_contact],
        **{key: accounts[key][has_contact] for key in ("street", "city", "state", "postcode", "country")},
    }
    frame = pd.DataFrame(
        {role: np.asarray(columns[role], dtype=object) for role in CONTACT_ROLES}, dtype=object
    )
    frame[SOURCE_ROW] = np.arange(2, n + 2)
    return frame
