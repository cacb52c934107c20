"""The secrets sweep: the whole command-line flow against the sandboxes with distinctive secrets, then
every file the run left (app data, config and log folders, the journal and its -wal, every CSV, JSON
and XLSX written), the captured stdout/stderr and every log record at DEBUG level are searched for
each secret in each of its spellings. Secrets belong in the keychain only (docs/security.md)."""

from __future__ import annotations

import base64
import json
import logging
import secrets
import webbrowser
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import requests
from secret_scan import (
    Leak,
    SecretBook,
    record_oauth_client_secrets,
    record_salesforce_secrets,
    scan_folders,
    spellings,
)
from sweep_systems import (
    EchoServer,
    billing_browser,
    distinctive,
    expire_mid_command,
    free_port,
    sandbox_browser,
)

from desktop_app.billing.credentials import credential_kind, load_credential
from desktop_app.cli import main
from desktop_app.core.app_folders import CONFIG_DIR_ENV, DATA_DIR_ENV, LOG_DIR_ENV
from desktop_app.salesforce.profiles import get_profile
from desktop_app.salesforce.session import REFRESH_TOKEN_KIND
from desktop_app.sandbox.demo_data import generate
from desktop_app.sandbox.localstripe_runner import RunningLocalStripe, start_localstripe
from desktop_app.sandbox.quickbooks import RunningQuickBooksSandbox, start_quickbooks_sandbox
from desktop_app.sandbox.quickbooks import customers_from_rows as qbo_customers
from desktop_app.sandbox.salesforce import RunningSalesforceSandbox, start_salesforce_sandbox, with_knobs
from desktop_app.sandbox.sequence import RunningSequenceSandbox, start_sequence_sandbox
from desktop_app.sandbox.xero import RunningXeroSandbox, contacts_from_rows, start_xero_sandbox
from desktop_app.secrets import delete_secret, load_secret

PROFILE = "secrets-sweep"
ACCOUNTS = 40


class Transcript:
    """Runs the commands and looks for ``book``'s secrets after each one: in its stdout and stderr, in
    every log record (any logger, DEBUG up, unredacted) and in every file under ``folders`` (after
    each command, as a later one may remove a file: ``logout`` deletes the profile)."""

    def __init__(self, capsys: pytest.CaptureFixture[str], log_file: Path) -> None:
        self.capsys = capsys
        self.book = SecretBook()
        self.folders: list[Path] = []
        self.found: list[Leak] = []
        self.printed: list[tuple[str, str]] = []
        self.scanned: set[Path] = set()
        self.handler = logging.FileHandler(log_file, encoding="utf-8")
        self.handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.handler.setLevel(logging.DEBUG)

    def run(self, *argv: str) -> tuple[int, str, str]:
        """Run ``desktop-app ARGV`` in this process, then scan; its exit code, stdout and stderr."""
        code = main(list(argv))
        out, err = self.capsys.readouterr()
        self.printed += [(f"stdout of {argv[0]}", out), (f"stderr of {argv[0]}", err)]
        self.scan(f"after {argv[0]}")
        return code, out, err

    def scan(self, when: str) -> None:
        """Look for the secrets (those known so far: tokens issued later are looked for again later)
        in everything printed so far and in every file under the folders now."""
        for where, text in self.printed:
            self._note(self.book.find(text.encode(), where))
        self.handler.flush()
        leaks, scanned = scan_folders(self.book, self.folders)
        self.scanned.update(scanned)
        self._note([Leak(leak.secret, leak.spelling, f"{leak.where} ({when})") for leak in leaks])

    def _note(self, leaks: list[Leak]) -> None:
        """Keep each leak once (a file that holds a secret is found again by every later scan)."""
        def key(leak: Leak) -> tuple[str, str, str]:
            return leak.secret, leak.spelling, leak.where.split(" (after")[0].split(" (the end)")[0]

        known = {key(leak) for leak in self.found}
        self.found += [leak for leak in leaks if key(leak) not in known]


@pytest.fixture
def transcript(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Iterator[Transcript]:
    log_dir = tmp_path / "app" / "log"
    log_dir.mkdir(parents=True)
    recorder = Transcript(capsys, log_dir / "every-record-at-debug.log")
    root = logging.getLogger()
    level = root.level
    root.addHandler(recorder.handler)
    root.setLevel(logging.DEBUG)
    try:
        yield recorder
    finally:
        root.removeHandler(recorder.handler)
        root.setLevel(level)
        recorder.handler.close()


@dataclass
class Sweep:
    """The running systems of one sweep and where its commands write."""

    sf: RunningSalesforceSandbox
    seq: RunningSequenceSandbox
    xero: RunningXeroSandbox
    qbo: RunningQuickBooksSandbox
    stripe: RunningLocalStripe
    echo: EchoServer
    plain_echo: EchoServer  # Stripe's adapter has no CA option
    out: Path
    port: int
    seq_id: str
    seq_secret: str
    stripe_key: str

    @property
    def sequence(self) -> list[str]:
        """The billing options of the link commands."""
        return ["--billing", "sequence", "--billing-url", self.seq.url, "--billing-ca", str(self.seq.ca_cert)]

    def stop(self) -> None:
        """Forget the Xero tokens saved in the keychain; stop every server."""
        for system in ("xero", "quickbooks"):
            for name in ("access_token", "refresh_token", "client_id", "client_secret", "auth_host", "tenant_id",
                         "realm_id"):
                delete_secret(credential_kind(system, name), PROFILE)
        for server in (self.echo, self.plain_echo, self.stripe, self.qbo, self.xero, self.seq, self.sf):
            server.stop()


@pytest.fixture
def sweep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, transcript: Transcript) -> Iterator[Sweep]:
    app = tmp_path / "app"
    for env, name in ((DATA_DIR_ENV, "data"), (CONFIG_DIR_ENV, "config"), (LOG_DIR_ENV, "log")):
        monkeypatch.setenv(env, str(app / name))
    out = tmp_path / "out"
    out.mkdir()
    transcript.folders += [app, out]
    data = generate(ACCOUNTS, seed=7)
    port = free_port()
    sf = start_salesforce_sandbox(
        scenario=with_knobs("healthy", daily_api_max=10**8, callback_urls=(f"http://localhost:{port}/OauthRedirect",)),
        data=data)
    seq_id, seq_secret = distinctive("seq-id"), distinctive("seq-secret")
    stripe_key = f"sk_test_sweep{secrets.token_hex(12)}"
    systems = Sweep(
        sf=sf,
        seq=start_sequence_sandbox(customers=len(data.customers), client_id=seq_id, client_secret=seq_secret,
                                   workdir=tmp_path / "sequence"),
        xero=start_xero_sandbox(contacts_from_rows(data.customers.head(10).to_dict("records"), messy=False),
                                workdir=tmp_path / "xero"),
        qbo=start_quickbooks_sandbox(qbo_customers(data.customers.head(10).to_dict("records"), messy=False),
                                     workdir=tmp_path / "quickbooks"),
        stripe=start_localstripe(persist=False, api_key=stripe_key),
        echo=EchoServer(tmp_path), plain_echo=EchoServer(tmp_path / "plain", https=False),
        out=out, port=port, seq_id=seq_id, seq_secret=seq_secret, stripe_key=stripe_key)
    book = transcript.book
    record_salesforce_secrets(sf, book.add)
    book.add("Salesforce sandbox access token", sf.access_token)
    book.add("Salesforce client secret", sf.client_secret)
    book.add("Sequence client secret", seq_secret)
    book.add_basic_auth("Sequence credentials", seq_id, seq_secret)
    record_oauth_client_secrets("Xero", systems.xero.oauth, book.add)
    record_oauth_client_secrets("QuickBooks", systems.qbo.oauth, book.add)
    book.add_basic_auth("QuickBooks app credentials", systems.qbo.oauth.client_id, systems.qbo.oauth.client_secret)
    book.add("Stripe API key", stripe_key)
    try:
        yield systems
    finally:
        systems.stop()


@pytest.mark.slow
@pytest.mark.keyring
@pytest.mark.timeout(180)
def test_no_secret_reaches_a_file_an_output_or_a_log(
    sweep: Sweep, monkeypatch: pytest.MonkeyPatch, transcript: Transcript
) -> None:
    sign_in(sweep, monkeypatch, transcript)
    the_flow(sweep, monkeypatch, transcript)
    error_paths(sweep, monkeypatch, transcript)
    transcript.scan("the end")
    assert len(transcript.book) >= 12  # the sandboxes' own secrets plus those issued during the run
    assert {p.suffix for p in transcript.scanned} >= {".csv", ".xlsx", ".json", ".sqlite3", ".log"}
    leaks = transcript.found
    assert leaks == [], "\n".join(f"{leak.secret} ({leak.spelling}) in {leak.where}" for leak in leaks)


def sign_in(sweep: Sweep, monkeypatch: pytest.MonkeyPatch, transcript: Transcript) -> None:
    """The browser login (code + PKCE verifier → refresh token in the keychain), the client-credentials
    login (client secret from the environment into the keychain), the Xero and QuickBooks browser
    sign-ins (QuickBooks with its app's client secret from the environment)."""
    sf = sweep.sf
    monkeypatch.setattr(webbrowser, "open", sandbox_browser(sf))
    login = ["--login-host", sf.login_url, "--local-sandbox", "--consumer-key", sf.consumer_key,
             "--ca-bundle", str(sf.ca_cert)]
    assert transcript.run("login", "--profile", PROFILE, "--port", str(sweep.port), *login)[0] == 0
    monkeypatch.setenv("CROSSLINK_CLIENT_SECRET", sf.client_secret)
    assert transcript.run("login", "--profile", f"{PROFILE}-cc", "--client-credentials", *login)[0] == 0
    monkeypatch.delenv("CROSSLINK_CLIENT_SECRET")
    monkeypatch.setattr(webbrowser, "open", billing_browser(sweep.xero.ca_cert))
    host = sweep.xero.url.removesuffix("/api.xro/2.0")
    assert transcript.run("billing-login", "--system", "xero", "--client-id", sweep.xero.oauth.client_id,
                          "--profile", PROFILE, "--port", "0", "--auth-host", host,
                          "--ca-cert", str(sweep.xero.ca_cert))[0] == 0
    monkeypatch.setenv("CROSSLINK_BILLING_CLIENT_SECRET", sweep.qbo.oauth.client_secret)
    monkeypatch.setattr(webbrowser, "open", billing_browser(sweep.qbo.ca_cert))
    assert transcript.run("billing-login", "--system", "quickbooks", "--client-id", sweep.qbo.oauth.client_id,
                          "--profile", PROFILE, "--port", "0", "--auth-host", sweep.qbo.url,
                          "--ca-cert", str(sweep.qbo.ca_cert))[0] == 0
    monkeypatch.delenv("CROSSLINK_BILLING_CLIENT_SECRET")


def the_flow(sweep: Sweep, monkeypatch: pytest.MonkeyPatch, transcript: Transcript) -> None:
    """check → accounts → customers (three systems) → match → review → plan → apply → runs → undo → audit."""
    out, sf_org, seq, xero = sweep.out, ["--profile", PROFILE], sweep.seq, sweep.xero
    monkeypatch.setenv("CROSSLINK_SEQUENCE_CLIENT_ID", sweep.seq_id)
    monkeypatch.setenv("CROSSLINK_SEQUENCE_CLIENT_SECRET", sweep.seq_secret)
    monkeypatch.setenv("CROSSLINK_STRIPE_API_KEY", sweep.stripe_key)
    assert transcript.run("check", *sf_org, "--json")[0] == 0
    assert transcript.run("check", "--profile", f"{PROFILE}-cc")[0] == 0
    assert transcript.run("accounts", *sf_org, "--out", str(out / "accounts.csv"))[0] == 0
    assert transcript.run("customers", "--system", "sequence", "--base-url", seq.url, "--ca-cert",
                          str(seq.ca_cert), "--out", str(out / "customers.csv"))[0] == 0
    xero_customers = ["customers", "--system", "xero", "--profile", PROFILE, "--base-url", xero.url,
                      "--ca-cert", str(xero.ca_cert), "--out", str(out / "xero.csv")]
    assert transcript.run(*xero_customers)[0] == 0
    first_refresh = load_credential("xero", "refresh_token", PROFILE)
    xero.oauth.expire_access_tokens()  # the saved token is refused: the adapter renews it and saves both back
    assert transcript.run(*xero_customers)[0] == 0
    assert load_credential("xero", "refresh_token", PROFILE) != first_refresh
    first_refresh = load_credential("quickbooks", "refresh_token", PROFILE)
    sweep.qbo.oauth.expire_access_tokens()  # renewed with the app's client secret, from the keychain
    assert transcript.run("customers", "--system", "quickbooks", "--profile", PROFILE, "--base-url", sweep.qbo.url,
                          "--ca-cert", str(sweep.qbo.ca_cert), "--out", str(out / "quickbooks.csv"))[0] == 0
    assert load_credential("quickbooks", "refresh_token", PROFILE) != first_refresh
    assert transcript.run("customers", "--system", "stripe", "--base-url", sweep.stripe.url,
                          "--out", str(out / "stripe.csv"))[0] == 0
    assert transcript.run("match", "--accounts", str(out / "accounts.csv"), "--customers",
                          str(out / "customers.csv"), "--out", str(out / "matches.xlsx"))[0] in (0, 1)
    assert transcript.run("review", "--matches", str(out / "matches.xlsx"), "--accept-above", "80",
                          "--out", str(out / "reviewed.csv"), "--json")[0] in (0, 1)
    assert transcript.run("plan", "--matches", str(out / "reviewed.csv"), "--out", str(out / "plan.json"),
                          "--table", str(out / "plan.xlsx"), "--policy", "fill_empty", "--json",
                          *sf_org, *sweep.sequence)[0] == 0
    expire_mid_command(sweep.sf, after_calls=3)  # the apply's session expires after its first calls: it renews
    token_requests = sweep.sf.org.counters.calls["oauth.token"]
    code, printed, _ = transcript.run("apply", str(out / "plan.json"), "--json", "--results",
                                      str(out / "results.csv"), *sf_org, *sweep.sequence)
    applied = json.loads(printed)
    assert code in (0, 1)
    assert sweep.sf.org.counters.calls["oauth.token"] >= token_requests + 2  # opening, and renewing mid-run
    assert applied["verified"]["links"] > 0  # links were written on both sides, so the write path ran
    assert transcript.run("runs", "--json")[0] == 0
    assert transcript.run("undo", applied["run_id"], "--json")[0] in (0, 1)
    assert transcript.run("audit", "--out", str(out / "audit.xlsx"), "--json", *sf_org, *sweep.sequence)[0] in (0, 1)


def error_paths(sweep: Sweep, monkeypatch: pytest.MonkeyPatch, transcript: Transcript) -> None:
    """A wrong Sequence secret and Stripe key; servers that echo the request in their error answer
    (billing, Stripe, Salesforce at 400 and 500, its token endpoint); an expired access token; a
    revoked login; then both logouts."""
    out, sf, seq, echo, book = sweep.out, sweep.sf, sweep.seq, sweep.echo, transcript.book
    wrong = distinctive("wrong-seq-secret")
    book.add("wrong Sequence client secret", wrong)
    book.add_basic_auth("wrong Sequence credentials", sweep.seq_id, wrong)
    monkeypatch.setenv("CROSSLINK_SEQUENCE_CLIENT_SECRET", wrong)
    assert transcript.run("customers", "--system", "sequence", "--base-url", seq.url, "--ca-cert",
                          str(seq.ca_cert), "--out", str(out / "refused.csv"))[0] != 0
    monkeypatch.setenv("CROSSLINK_SEQUENCE_CLIENT_SECRET", sweep.seq_secret)
    for as_text in (False, True):
        echo.as_text = as_text
        assert transcript.run("customers", "--system", "sequence", "--base-url", echo.url, "--ca-cert",
                              str(echo.ca_cert), "--out", str(out / "echoed.csv"))[0] != 0
    wrong_key = f"rk_test_wrong{sweep.stripe_key[-24:]}"  # localstripe takes any sk_ key
    book.add("wrong Stripe API key", wrong_key)
    monkeypatch.setenv("CROSSLINK_STRIPE_API_KEY", wrong_key)
    assert transcript.run("customers", "--system", "stripe", "--base-url", sweep.stripe.url,
                          "--out", str(out / "stripe-refused.csv"))[0] != 0
    monkeypatch.setenv("CROSSLINK_STRIPE_API_KEY", sweep.stripe_key)
    assert transcript.run("customers", "--system", "stripe", "--base-url", sweep.plain_echo.url,
                          "--out", str(out / "stripe-echoed.csv"))[0] != 0
    monkeypatch.setenv("CROSSLINK_SANDBOX_ACCESS_TOKEN", sf.access_token)
    for status in (400, 500):
        echo.as_text, echo.status = False, status
        assert transcript.run("accounts", "--sandbox", "--instance-url", echo.url, "--ca-cert",
                              str(echo.ca_cert), "--out", str(out / "echoed-accounts.csv"))[0] != 0
    monkeypatch.setenv("CROSSLINK_CLIENT_SECRET", sf.client_secret)
    assert transcript.run("login", "--profile", "echoed", "--client-credentials", "--local-sandbox",
                          "--login-host", echo.url, "--consumer-key", sf.consumer_key,
                          "--ca-bundle", str(echo.ca_cert))[0] != 0
    monkeypatch.delenv("CROSSLINK_CLIENT_SECRET")
    sf.oauth.expire_access_tokens()
    assert transcript.run("accounts", "--sandbox", "--instance-url", sf.instance_url, "--ca-cert",
                          str(sf.ca_cert), "--out", str(out / "expired.csv"))[0] != 0
    requests.post(f"{sf.login_url}/services/oauth2/revoke", data={"token": saved_refresh_token()},
                  verify=str(sf.ca_cert), timeout=10).raise_for_status()
    assert transcript.run("accounts", "--profile", PROFILE, "--out", str(out / "revoked.csv"))[0] != 0
    assert transcript.run("logout", "--profile", f"{PROFILE}-cc")[0] == 0
    assert transcript.run("logout", "--profile", PROFILE)[0] == 0


def saved_refresh_token() -> str:
    """The refresh token the browser login saved in the keychain for the sweep's profile."""
    token = load_secret(REFRESH_TOKEN_KIND, get_profile(PROFILE).secret_account)
    assert token, "the browser login saved no refresh token"
    return token


def test_the_scanner_finds_every_spelling_in_files_workbooks_and_text(tmp_path: Path) -> None:
    secret = 'tok"en/with=odd chars&more+'  # every spelling differs from the others
    book = SecretBook()
    book.add("token", secret)
    book.add_basic_auth("pair", "the-client", secret)
    spelled = spellings(secret)
    assert set(spelled) == {"raw", "url-encoded", "form-encoded", "json-escaped", "base64", "base64url"}
    long_secret = f"{secret}-{'x' * 30}-end-of-a-long-token"
    assert spellings(long_secret)["head"] == long_secret[:24]
    assert spellings(long_secret)["tail"] == "xxxxx-end-of-a-long-token"[-24:]
    for n, (name, text) in enumerate(spelled.items()):  # (two spellings may coincide: base64 without + / =)
        (tmp_path / f"{n}.txt").write_text(f"before {text} after", encoding="utf-8")
        assert book.find(f"x{text}x".encode(), "text"), name
    pd.DataFrame({"note": [f"Basic {base64.b64encode(f'the-client:{secret}'.encode()).decode()}"]}).to_excel(
        tmp_path / "report.xlsx", index=False)
    leaks, scanned = scan_folders(book, [tmp_path])
    assert len(scanned) == len(spelled) + 1
    assert {leak.where.rsplit("/", 1)[-1] for leak in leaks} >= {f"{n}.txt" for n in range(len(spelled))}
    assert any(leak.secret == "pair (HTTP Basic)" and "!xl/" in leak.where for leak in leaks)
    assert book.find(b"nothing secret here", "text") == []
    with pytest.raises(ValueError, match="too short"):
        book.add("pin", "1234")
