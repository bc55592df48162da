"""Invitations in Chromium: a convener invites a composed roster, an organization accepts."""

from __future__ import annotations

import re

import pytest

from tests.console.conftest import Tab
from tests.console.test_keys import use_key

pytestmark = pytest.mark.database_independent


def test_a_convener_invites_a_roster_and_an_invitee_accepts_from_its_inbox(tab: Tab):
    live = tab.live
    made = live.server.call(
        "POST",
        "/api/v1/dialogues",
        {
            "title": "Console dialogue on language technology",
            "status": "planned",
            "starts_on": "2031-05-04",
            "topics": ["linguistic-diversity"],
            "virtual": True,
        },
        live.admin(),
    )
    assert made.status == 201, made.body
    dialogue = made.json
    use_key(tab, live.key_for(None, "console convener", "dialogues:convene"))
    assert "convener" in tab.page.locator("#key-state").inner_text()
    tab.open("/roster?size=4&topics=linguistic-diversity&max_per_country=1")
    tab.page.locator("#roster-table tbody tr").first.wait_for()
    roster = tab.page.locator("#roster-table tbody tr").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.id))"
    )
    assert tab.page.locator("#reserves tbody tr").count() > 0
    form = tab.page.locator("#invite-form")
    form.get_by_label("Dialogue", exact=True).select_option(str(dialogue["id"]))
    form.get_by_label("Message to every organization invited").fill("Would you join us?")
    form.get_by_role("button", name="Invite this roster").click()
    invited = tab.page.locator("#invited li")
    invited.first.wait_for()
    assert sorted(
        invited.evaluate_all("items => items.map(i => Number(i.dataset.organization))")
    ) == (sorted(roster))
    tab.audit("roster with invitations")
    tab.shot("roster-invited")

    listed = live.server.call(
        "GET",
        f"/api/v1/dialogues/{dialogue['id']}/invitations?page_size=100",
        headers=live.admin(),
    ).json
    mine = next(i for i in listed if i["organization"]["id"] == roster[0])
    slug = mine["organization"]["slug"]
    tab.open("/account")
    tab.page.get_by_role("button", name="Forget this key").click()
    use_key(tab, live.key_for(roster[0], "console invitee"), slug)
    item = tab.page.locator(f"#invitations-open li[data-invitation='{mine['id']}']")
    item.wait_for()
    assert "Would you join us?" in item.inner_text()
    tab.audit("inbox with an invitation")
    tab.shot("inbox-invitation")
    item.get_by_role("textbox").fill("Glad to join.")
    item.get_by_role("button", name=re.compile("^Accept")).click()
    item.locator(".notice").wait_for()
    assert "now accepted" in item.locator(".notice").inner_text()

    tab.open("/account")
    tab.page.locator(f"#invitations-accepted li[data-invitation='{mine['id']}']").wait_for()
    assert tab.page.locator(f"#invitations-open li[data-invitation='{mine['id']}']").count() == 0
    answered = live.server.call(
        "GET",
        f"/api/v1/dialogues/{dialogue['id']}/invitations/{mine['id']}",
        headers=live.admin(),
    ).json
    assert answered["status"] == "accepted" and answered["answer_message"] == "Glad to join."
    seated = live.server.call("GET", f"/api/v1/dialogues/{dialogue['id']}").json["participants"]
    assert roster[0] in {p["organization"]["id"] for p in seated}
    tab.stayed_home()
