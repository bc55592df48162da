"""With a key, in Chromium: a wrong key, an organization's inbox and record, the admin tools."""

from __future__ import annotations

import re

import pytest

from tests.console.conftest import Live, Tab

pytestmark = pytest.mark.database_independent


def use_key(tab: Tab, key: str, organization: str = "") -> None:
    """Give the console a key through its form, as a person would."""
    tab.open("/account")
    form = tab.page.locator("#key-form")
    form.get_by_label("API key").fill(key)
    form.get_by_label("Your organization").fill(organization)
    form.get_by_role("button", name="Use this key").click()
    tab.page.get_by_role("button", name="Forget this key").wait_for()


def propose(live: Live, proposer: str, partner: str, kind: str) -> dict:
    """A proposed link made with the admin key."""
    answer = live.server.call(
        "POST",
        "/api/v1/partnerships",
        {
            "proposer_id": live.organization(proposer)["id"],
            "partner_id": live.organization(partner)["id"],
            "kind": kind,
            "description": f"A {kind} link proposed for the console's test.",
        },
        live.admin(),
    )
    assert answer.status == 201, answer.body
    return answer.json


def key_id(live: Live, name: str) -> int:
    keys = live.server.call("GET", "/api/v1/keys?page_size=100", headers=live.admin()).json
    return next(k["id"] for k in keys if k["name"] == name)


def test_a_wrong_key_is_refused_beside_its_field_and_stays_typed(tab: Tab):
    tab.open("/account")
    form = tab.page.locator("#key-form")
    form.get_by_label("API key").fill("pak_not_a_real_key")
    form.get_by_role("button", name="Use this key").click()
    problem = form.locator(".problem")
    problem.wait_for()
    assert problem.locator(".problem-title").inner_text() == "401 Unauthorized"
    assert "not valid" in problem.locator(".problem-detail").inner_text()
    assert form.get_by_label("API key").input_value() == "pak_not_a_real_key"
    assert form.get_by_label("API key").get_attribute("aria-invalid") == "true"
    assert tab.page.evaluate("sessionStorage.length") == 0
    assert tab.page.evaluate("localStorage.length") == 0
    tab.audit("account with a wrong key")
    tab.shot("account-401")
    tab.stayed_home()


def test_an_organization_key_accepts_a_proposal_and_the_inbox_changes(tab: Tab):
    live = tab.live
    first = propose(live, "chequeado", "rappler", "research")
    second = propose(live, "techcabal", "rappler", "advisory")
    key = live.key_for(first["partner"]["id"], "rappler console")
    use_key(tab, key, "rappler")
    assert tab.page.evaluate("sessionStorage.length") == 3
    assert tab.page.evaluate("localStorage.length") == 0
    waiting = tab.page.locator(f"#proposals li[data-partnership='{first['id']}']")
    waiting.wait_for()
    assert tab.page.locator(f"#proposals li[data-partnership='{second['id']}']").count() == 1
    tab.audit("inbox")
    tab.shot("inbox")

    waiting.get_by_role("button", name=re.compile("^Accept")).click()
    waiting.locator(".notice").wait_for()
    assert "now active" in waiting.locator(".notice").inner_text()
    link = live.server.call("GET", f"/api/v1/partnerships/{first['id']}").json
    assert link["status"] == "active"
    tab.open("/account")
    tab.page.locator("#inbox h3").first.wait_for()
    assert tab.page.locator(f"#proposals li[data-partnership='{first['id']}']").count() == 0
    assert tab.page.locator(f"#proposals li[data-partnership='{second['id']}']").count() == 1

    # The key is revoked meanwhile: declining shows the 401 beside that proposal.
    revoked = live.server.call(
        "DELETE", f"/api/v1/keys/{key_id(live, 'rappler console')}", headers=live.admin()
    )
    assert revoked.status == 204
    other = tab.page.locator(f"#proposals li[data-partnership='{second['id']}']")
    other.get_by_role("button", name="Decline").click()
    other.locator(".problem").wait_for()
    assert other.locator(".problem-title").inner_text() == "401 Unauthorized"
    assert other.get_by_role("button", name="Decline").is_enabled()
    assert live.server.call("GET", f"/api/v1/partnerships/{second['id']}").json["status"] == (
        "proposed"
    )
    tab.stayed_home()


def test_an_edit_after_another_shows_the_412_and_keeps_what_was_typed(tab: Tab):
    live = tab.live
    org = live.organization("algorithmwatch")
    use_key(tab, live.key_for(org["id"], "algorithmwatch console"), "algorithmwatch")
    tab.open("/org/algorithmwatch")
    form = tab.page.locator("#edit-form")
    form.get_by_label("City").fill("Kigali")

    # Someone else saves first.
    read = live.server.call("GET", "/api/v1/organizations/algorithmwatch", headers=live.admin())
    changed = live.server.call(
        "PATCH",
        "/api/v1/organizations/algorithmwatch",
        {"description": "Edited meanwhile by an admin."},
        {**live.admin(), "If-Match": read.headers["ETag"]},
    )
    assert changed.status == 200

    form.get_by_role("button", name="Save changes").click()
    problem = form.locator(".problem")
    problem.wait_for()
    assert problem.locator(".problem-title").inner_text() == "412 Precondition Failed"
    assert form.get_by_label("City").input_value() == "Kigali"
    tab.audit("edit with a 412")
    tab.shot("edit-412")

    form.get_by_role("button", name="Load the latest version, keep my changes").click()
    tab.page.get_by_text("Edited meanwhile by an admin.").wait_for()
    assert form.get_by_label("City").input_value() == "Kigali"
    form.get_by_role("button", name="Save changes").click()
    form.get_by_text("Saved.").wait_for()
    now = live.organization("algorithmwatch")
    assert now["city"] == "Kigali" and now["description"] == "Edited meanwhile by an admin."
    tab.stayed_home()


def test_an_admin_resolves_a_pasted_column_and_merges_a_duplicate(tab: Tab):
    live = tab.live
    made = live.server.call(
        "POST",
        "/api/v1/organizations?allow_duplicate=true",
        {"name": "Ada Lovelace Institute", "sector": "civil_society", "country": "GB"},
        live.admin(),
    )
    assert made.status == 201, made.body
    duplicate = made.json
    use_key(tab, live.admin_key)
    tab.open("/admin")
    pasted = ["UK AISI", "Makerere Univ., Kampala | UG", "Mila Quebec", "Nothing of the kind zzz"]
    tab.page.get_by_label("Names, one per line").fill("\n".join(pasted))
    tab.page.get_by_role("button", name="Resolve").click()
    rows = tab.page.locator("#resolve-table tbody tr")
    rows.first.wait_for()
    resolved = rows.evaluate_all("rows => rows.map(r => r.dataset.resolved)")
    queries = [
        {"name": "UK AISI"},
        {"name": "Makerere Univ., Kampala", "country": "UG"},
        {"name": "Mila Quebec"},
        {"name": "Nothing of the kind zzz"},
    ]
    expected = live.server.call(
        "POST", "/api/v1/organizations/resolve", {"queries": queries, "limit": 3}, live.admin()
    ).json["results"]
    chosen = [
        next((c["organization"]["slug"] for c in r["candidates"] if c["chosen"]), "")
        for r in expected
    ]
    assert resolved == chosen
    assert resolved[0] == "uk-aisi" and resolved[-1] == ""
    tab.audit("admin")
    tab.shot("admin-resolve")

    pair = tab.page.locator(f".pair[data-pair~='{duplicate['id']}']")
    merge = pair.get_by_role(
        "button", name=f"Merge {duplicate['slug']} into ada-lovelace-institute"
    )
    merge.click()
    pair.get_by_role("button", name=re.compile("^Confirm: merge")).click()
    pair.locator(".notice").wait_for()
    assert "Merged into Ada Lovelace Institute" in pair.locator(".notice").inner_text()
    # The duplicate's address now leads (308, followed) to the survivor.
    followed = live.server.call("GET", f"/api/v1/organizations/{duplicate['id']}").json
    assert followed["slug"] == "ada-lovelace-institute"
    tab.stayed_home()
