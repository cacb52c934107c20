"""The HTML a person sees during the OAuth flow: login form, consent page, error page.

Element ids follow Salesforce's own pages (``username``, ``password``, ``Login``, ``oaapprove``,
``oadeny``) so browser automation written for the real login works here too.
"""

from __future__ import annotations

from html import escape

_STYLE = """
body{font-family:system-ui,sans-serif;background:#f3f3f3;margin:0;padding:40px}
.card{max-width:380px;margin:0 auto;background:#fff;border:1px solid #ddd;border-radius:6px;padding:24px}
h1{font-size:20px;margin:0 0 16px}label{display:block;margin:12px 0 4px;font-size:14px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;font-size:15px}
.button{margin-top:16px;padding:10px 18px;font-size:15px;border-radius:4px;border:1px solid #0176d3}
.primary{background:#0176d3;color:#fff}.error{color:#c23934;margin:8px 0}.hint{color:#666;font-size:12px}
"""


def _page(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><div class='card'>{body}</div></body></html>"
    )


def login_page(pending_id: str, *, error: str = "", username: str = "") -> str:
    """The login form posting to ``/services/oauth2/authorize/login``."""
    problem = f"<p class='error' id='error'>{escape(error)}</p>" if error else ""
    return _page(
        "Login | Crosslink sandbox org",
        f"""
<h1>Log in to the Crosslink sandbox org</h1>{problem}
<form method="post" action="/services/oauth2/authorize/login" id="login_form">
<input type="hidden" name="pending" value="{escape(pending_id)}">
<label for="username">Username</label>
<input type="text" id="username" name="username" value="{escape(username)}" autocomplete="username">
<label for="password">Password</label>
<input type="password" id="password" name="pw" autocomplete="current-password">
<input type="submit" id="Login" name="Login" class="button primary" value="Log In">
</form>
<p class="hint">Demo users: admin@crosslink.demo, noapi@crosslink.demo, readonly@crosslink.demo
(password: demo).</p>""",
    )


def consent_page(pending_id: str, *, app_name: str, username: str, scopes: list[str]) -> str:
    """The Allow/Deny page shown after a successful login."""
    items = "".join(f"<li>{escape(s)}</li>" for s in scopes)
    return _page(
        "Allow Access? | Crosslink sandbox org",
        f"""
<h1>Allow Access?</h1>
<p><b>{escape(app_name)}</b> is asking to access the org as <b>{escape(username)}</b>:</p><ul>{items}</ul>
<form method="post" action="/services/oauth2/authorize/consent" id="consent_form">
<input type="hidden" name="pending" value="{escape(pending_id)}">
<button type="submit" name="decision" value="deny" id="oadeny" class="button">Deny</button>
<button type="submit" name="decision" value="allow" id="oaapprove" class="button primary">Allow</button>
</form>""",
    )


def error_page(error: str, description: str) -> str:
    """An OAuth error that cannot be sent back to the app (unknown client, unregistered callback)."""
    return _page(
        "OAuth Error | Crosslink sandbox org",
        f"""
<h1>OAuth Error</h1><p class="error" id="error">error={escape(error)}</p>
<p id="error_description">{escape(description)}</p>
<p class="hint">Check the app's consumer key and callback URL.</p>""",
    )
