"""An organization's page, the map and the roster builder in Chromium, on the demo directory."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.console.conftest import Tab

pytestmark = pytest.mark.database_independent

CENTRE = "african-union-commission"


def test_an_organization_page_shows_its_record_network_and_matches(tab: Tab):
    org = tab.live.organization(CENTRE)
    tab.open("/")
    tab.page.get_by_label("Search organizations").fill("African Union Commission")
    first = "() => document.querySelector('#results h3 a')?.textContent"
    tab.page.wait_for_function(f"{first} === 'African Union Commission'")
    tab.page.locator("#results h3 a").first.click()
    tab.page.wait_for_url(re.compile(f"/org/{CENTRE}$"))
    # The address changes before the page's view is drawn: wait for its heading.
    expect(tab.page.locator("main h1")).to_have_text(re.compile("^African Union Commission"))
    names = tab.page.locator("table:has(caption) tbody tr td:first-child").all_inner_texts()
    assert [n["value"] for n in org["names"]] == names[: len(org["names"])]

    # The network picture: every active partner is a node, linked to the centre.
    tab.page.locator("#network svg a.node").first.wait_for()
    nodes = {
        int(i)
        for i in tab.page.locator("#network a.node").evaluate_all(
            "nodes => nodes.map(n => n.dataset.id)"
        )
    }
    partners = tab.live.server.call(
        "GET", f"/api/v1/organizations/{org['id']}/partners?status=active&page_size=100"
    ).json
    assert partners and {p["organization"]["id"] for p in partners} <= nodes
    assert org["id"] in nodes
    assert tab.page.locator("#network .legend li").count() >= 3

    # Matches: reasons, and components whose contributions add up to the score.
    tab.page.locator("#matches-list li.match").first.wait_for()
    matches = tab.page.locator("#matches-list li.match").evaluate_all(
        """items => items.map(li => ({
            score: Number(li.dataset.score),
            parts: [...li.querySelectorAll('[data-contribution]')]
                .map(c => Number(c.dataset.contribution)),
            reasons: li.querySelectorAll('.reasons li').length}))"""
    )
    assert len(matches) == 10
    for match in matches:
        assert match["reasons"] > 0 and len(match["parts"]) >= 4
        assert sum(match["parts"]) == pytest.approx(match["score"], abs=1e-9)
    tab.page.locator("#history li").first.wait_for()
    # Its dialogues, with the outcomes of those held.
    tab.page.locator("#dialogues-list li").first.wait_for()
    held = tab.live.server.call("GET", f"/api/v1/dialogues?organization={org['id']}").json
    shown = tab.page.locator("#dialogues-list li").evaluate_all(
        "l => l.map(i => Number(i.dataset.dialogue))"
    )
    assert shown == [d["id"] for d in held]
    assert tab.page.locator("#dialogues-list .outcome").count() == sum(
        d["status"] == "held" for d in held
    )
    tab.audit("organization page")
    tab.shot("organization")

    # Depth 2 from its link, kept in the URL; dragging a node and zooming move the picture.
    tab.page.get_by_role("link", name="Show depth 2").click()
    tab.page.wait_for_url(re.compile(r"depth=2"))
    tab.page.wait_for_function(
        "n => document.querySelectorAll('#network a.node').length > n", arg=len(nodes)
    )
    layer = tab.page.locator("#network g.layer")
    tab.page.get_by_role("button", name="Zoom in").click()
    tab.page.wait_for_function(
        "() => (document.querySelector('#network g.layer').getAttribute('transform') || '')"
        ".includes('scale')"
    )
    node = tab.page.locator(f"#network a.node[data-id='{org['id']}']")
    node.scroll_into_view_if_needed()
    before = node.get_attribute("transform")
    box = node.locator("circle").bounding_box()
    tab.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tab.page.mouse.down()
    tab.page.mouse.move(box["x"] + 80, box["y"] + 60, steps=5)
    tab.page.mouse.up()
    tab.page.wait_for_function(
        "([id, before]) => document.querySelector(`#network a.node[data-id='${id}']`)"
        ".getAttribute('transform') !== before",
        arg=[org["id"], before],
    )
    assert layer.get_attribute("transform")
    tab.shot("organization-network-depth-2")
    tab.stayed_home()


def test_an_unknown_organization_shows_the_404_problem(tab: Tab):
    tab.open("/org/no-such-organization")
    problem = tab.page.locator("main .problem")
    assert problem.locator(".problem-title").inner_text() == "404 Not Found"
    assert "no-such-organization" in problem.locator(".problem-detail").inner_text()
    tab.audit("404")
    tab.stayed_home()


def test_a_click_on_the_map_filters_by_that_country(tab: Tab):
    tab.open("/map?sector=academia")
    kenya = tab.page.locator("path[data-code='KE']")
    kenya.wait_for()
    counts = tab.live.server.call("GET", "/api/v1/organizations/facets?sector=academia").json
    expected = {c["value"]: c["count"] for c in counts["country"]}
    assert int(kenya.get_attribute("data-count")) == expected["KE"]
    assert int(tab.page.locator("path[data-code='FR']").get_attribute("data-count")) == (
        expected.get("FR", 0)
    )
    tab.page.get_by_label("Highlight a region").select_option("african-union")
    tab.page.wait_for_url(re.compile(r"highlight=african-union"))
    tab.page.wait_for_function("() => document.querySelectorAll('path.highlight').length > 40")
    kenya.click()
    tab.page.wait_for_url(re.compile(r"country=KE"))
    tab.page.wait_for_function(
        "() => document.querySelector(\"path[data-code='KE']\").classList.contains('chosen')"
    )
    tab.audit("map")
    tab.shot("map")
    tab.page.locator("#to-list").click()
    tab.page.wait_for_url(re.compile(r"/\?.*country=KE"))
    tab.page.locator("#results .card").first.wait_for()
    listed = tab.live.server.call("GET", "/api/v1/organizations?sector=academia&country=KE").json
    assert tab.page.locator("#results .card h3 a").all_inner_texts() == [o["name"] for o in listed]
    tab.stayed_home()


def africa(tab: Tab) -> set[str]:
    return set(tab.live.server.call("GET", "/api/v1/regions/africa").json["countries"])


def test_compose_shows_a_roster_that_meets_the_quotas_asked(tab: Tab):
    tab.open("/roster")
    form = tab.page.locator("#compose-form")
    form.get_by_label("Seats").fill("8")
    form.get_by_label("At most per country").fill("1")
    form.get_by_label("AI governance").check()
    form.get_by_label("At least from Academia").fill("2")
    form.get_by_label("Region 1", exact=True).select_option("africa")
    form.get_by_label("At least from region 1").fill("3")
    form.get_by_role("button", name="Compose").click()
    tab.page.wait_for_url(re.compile(r"size=8"))
    rows = tab.page.locator("#roster-table tbody tr")
    rows.first.wait_for()
    members = rows.evaluate_all("rows => rows.map(r => ({...r.dataset}))")
    assert len(members) == 8
    countries = [m["country"] for m in members]
    assert len(set(countries)) == len(countries)
    assert sum(m["sector"] == "academia" for m in members) >= 2
    assert len(set(countries) & africa(tab)) >= 3
    held = tab.page.locator("#constraints-table tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.name, r.dataset.satisfied])"
    )
    assert {"sector_min.academia", "region_min.africa", "max_per_country"} <= {n for n, _ in held}
    assert all(ok == "true" for _, ok in held)
    tab.audit("roster")
    tab.shot("roster")

    # A shared link composes the same roster; the back button restores the form.
    tab.open(tab.page.url.replace(tab.live.url, ""))
    tab.page.locator("#roster-table tbody tr").first.wait_for()
    again = tab.page.locator("#roster-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.id)"
    )
    assert again == [m["id"] for m in members]
    assert tab.page.locator("#compose-form").get_by_label("Seats").input_value() == "8"
    tab.stayed_home()


def test_a_422_is_shown_beside_the_form_and_nothing_typed_is_lost(tab: Tab):
    tab.open("/roster")
    form = tab.page.locator("#compose-form")
    form.get_by_label("Seats").fill("6")
    form.get_by_label("At least this many countries").fill("4")
    form.get_by_label("At least from Media").fill("9")
    form.get_by_role("button", name="Compose").click()
    problem = form.locator(".problem")
    problem.wait_for()
    assert problem.locator(".problem-title").inner_text() == "422 Unprocessable Entity"
    assert "sector_min.media" in problem.locator(".problem-detail").inner_text()
    assert form.get_by_label("At least from Media").get_attribute("aria-invalid") == "true"
    assert form.get_by_label("Seats").get_attribute("aria-invalid") == "false"
    assert form.get_by_label("At least this many countries").input_value() == "4"
    assert tab.page.locator("#roster-table").count() == 0
    tab.audit("roster with a 422")
    tab.shot("roster-422")

    form.get_by_label("Seats").fill("1")
    form.get_by_label("At least from Media").fill("")
    form.get_by_role("button", name="Compose").click()
    tab.page.wait_for_function(
        "() => document.querySelector('#compose-form .problem-fields').textContent.includes('size')"
    )
    assert "size:" in form.locator(".problem-fields").inner_text()
    assert form.get_by_label("Seats").get_attribute("aria-invalid") == "true"
    tab.stayed_home()


def test_a_429_shows_its_retry_after_and_keeps_the_search(tab: Tab):
    def too_many(route) -> None:
        route.fulfill(
            status=429,
            headers={"Content-Type": "application/problem+json", "Retry-After": "17"},
            body='{"type": "about:blank", "title": "Too Many Requests", "status": 429, '
            '"detail": "Rate limit exceeded: 300 per 1 minute.", "code": "rate_limited"}',
        )

    tab.open("/")
    tab.page.locator("#results .card").first.wait_for()
    tab.page.route(re.compile(r"/api/v1/organizations\?.*q=busy"), too_many)
    tab.page.get_by_label("Search organizations").fill("busy")
    problem = tab.page.locator(".results .problem")
    problem.wait_for()
    assert problem.locator(".problem-title").inner_text() == "429 Too Many Requests"
    assert problem.locator(".problem-retry").inner_text() == "Retry after 17 s."
    assert "300 per 1 minute" in problem.inner_text()
    assert tab.page.get_by_label("Search organizations").input_value() == "busy"
    tab.shot("directory-429")
    tab.stayed_home()


@pytest.mark.parametrize(
    "path",
    [f"/org/{CENTRE}", "/map?highlight=eu", "/roster?size=6&sector_min.academia=2", "/account"],
)
def test_every_page_fits_a_phone_375_pixels_wide(tab: Tab, path: str):
    tab.page.set_viewport_size({"width": 375, "height": 800})
    tab.open(path)
    tab.page.wait_for_function("() => !document.querySelector('main').hasAttribute('aria-busy')")
    tab.page.wait_for_load_state("networkidle")
    assert tab.page.evaluate("document.documentElement.scrollWidth") <= 375
    tab.audit(f"{path} at 375 px")
    tab.stayed_home()
