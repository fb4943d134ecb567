"""Behind a reverse proxy the login throttle and the audit see the client's address: X-Forwarded-For
is believed from PORTAL_TRUSTED_PROXIES only, so a client cannot forge its way past the throttle.

Served by uvicorn exactly as `portal serve` configures it (portal.cli.uvicorn_config), on 127.0.0.1:
the test's requests come from the peer 127.0.0.1, trusted or not as the settings say.
"""

from __future__ import annotations

import httpx
import pytest
from support import components, portal_app
from support.processes import serving

from portal.cli import uvicorn_config
from portal.core.audit import Audit
from portal.core.settings import Settings, SettingsError
from portal.security.proxies import forwarded_client, parse_networks


def served(app):
    """`app` served by uvicorn exactly as `portal serve` configures it."""
    return serving(lambda port: uvicorn_config(app, "127.0.0.1", port, log_level="warning"))


def failed_logins(base: str, forwarded_for: list[str]) -> list[int]:
    """Post a wrong password once per X-Forwarded-For value; the status codes."""
    codes = []
    with httpx.Client(base_url=base, timeout=30) as browser:
        browser.get("/login")
        token = browser.cookies["csrftoken"]
        for address in forwarded_for:
            response = browser.post(
                "/login",
                data={"email": "ghost@example.com", "password": "wrong-password", "_csrf_token": token},
                headers={"X-Forwarded-For": address},
            )
            codes.append(response.status_code)
    return codes


@pytest.mark.slow
def test_a_forged_x_forwarded_for_from_an_untrusted_peer_is_ignored(settings, sandbox):
    app = portal_app(settings.with_(login_attempts_per_minute=3), sandbox)
    with served(app) as base:
        codes = failed_logins(base, ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"])
        logged = {row["ip"] for row in Audit(components(app).db).latest(20) if row["action"] == "login"}
    assert codes == [400, 400, 400, 429]  # every post counted against 127.0.0.1
    assert logged == {"127.0.0.1"}


@pytest.mark.slow
def test_the_trusted_proxys_x_forwarded_for_names_the_client(settings, sandbox):
    app = portal_app(settings.with_(login_attempts_per_minute=3, trusted_proxies=("127.0.0.1",)), sandbox)
    with served(app) as base:
        spread = failed_logins(base, ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"])
        one_client = failed_logins(base, ["203.0.113.7"] * 4)
        # What the client put left of the proxy's entry is not believed: the proxy appends the peer.
        forged_chain = failed_logins(base, [f"10.9.9.{n}, 203.0.113.8" for n in range(4)])
        logged = {row["ip"] for row in Audit(components(app).db).latest(50) if row["action"] == "login"}
    assert spread == [400, 400, 400, 400]
    assert one_client == [400, 400, 400, 429]
    assert forged_chain == [400, 400, 400, 429]
    assert {"198.51.100.1", "203.0.113.7", "203.0.113.8"} <= logged and "127.0.0.1" not in logged


def test_the_chain_is_read_from_the_right_past_trusted_proxies():
    proxies = parse_networks(["10.0.0.0/8", "::1"])
    assert forwarded_client(["198.51.100.9, 10.0.0.2"], proxies) == "198.51.100.9"
    assert forwarded_client(["6.6.6.6, 198.51.100.9", "10.1.1.1"], proxies) == "198.51.100.9"
    assert forwarded_client(["10.0.0.3"], proxies) == "10.0.0.3"
    assert forwarded_client(["unknown"], proxies) is None
    assert forwarded_client([], proxies) is None


def test_trusted_proxies_are_read_from_the_environment_and_checked():
    assert Settings.from_env({"PORTAL_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}).trusted_proxies == (
        "127.0.0.1", "10.0.0.0/8"
    )
    with pytest.raises(SettingsError, match="PORTAL_TRUSTED_PROXIES"):
        Settings.from_env({"PORTAL_TRUSTED_PROXIES": "proxy.local"})
