"""Practice sheets: the Markdown sanitiser against hostile payloads (pure), its Dash rendering, the review state
machine and review rights, search (accent-insensitive, filters), validation (nothing saved on bad input) and
contacts that never reach the public."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser

import pandas as pd
import pytest
from hostile_data import PWN

from dashboard import repository
from dashboard.analytics import practices as rules
from dashboard.demo.practices import _SHEETS
from dashboard.markdown_text import (
    MAX_MARKDOWN_CHARS,
    TAGS,
    MarkdownTooLong,
    markdown_problem,
    render_markdown,
    safe_href,
)
from dashboard.policy import ANONYMOUS, Forbidden, Role, Viewer
from dashboard.services import DataService
from dashboard.services import practices as pr
from dashboard.settings import load_settings
from layouts.rich_text import components_from_html, rich_text

SITE = "DEMO-0000001"  # the tests' member account speaks for it (auth_support)

# Payloads that would run script, load something from elsewhere or smuggle markup, if anything let them through.
HOSTILE_MARKDOWN = [
    f"<script>{PWN}</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    f'<img src=x onerror="{PWN}">',
    f'<svg onload="{PWN}"></svg>',
    f'<a href="javascript:{PWN}">clic</a>',
    f"[clic](javascript:{PWN})",
    f"[clic](JaVaScRiPt:{PWN})",
    f"[clic](java\tscript:{PWN})",
    f"[clic](  javascript:{PWN})",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[clic](vbscript:msgbox(1))",
    f"<javascript:{PWN}>",
    f"[clic][1]\n\n[1]: javascript:{PWN}",
    "![x](https://evil.example/pixel.png)",
    f'![x](x" onerror="{PWN})',
    f'[a](https://ok.example "title" onmouseover="{PWN}")',
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    f'<div style="background:url(javascript:{PWN})">x</div>',
    "<!-- <script>alert(1)</script> -->",
    f"<<script>script>{PWN}<</script>/script>",
    f'<a href="&#106;avascript:{PWN}">x</a>',
    f"[x](&#106;avascript:{PWN})",
    f"**<img src=x onerror={PWN}>**",
    f"> <script>{PWN}</script>",
    f"- [x](javascript:{PWN})\n- <b onclick=\"{PWN}\">y</b>",
    f"<details open ontoggle=\"{PWN}\">",
    f"<math><mtext><table><mglyph><style><img src=x onerror={PWN}>",
    "[x](//evil.example/path)",
    "[x](/relative/path)",
]


def _tags(html_text: str) -> set[str]:
    tags: set[str] = set()

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.add(tag)

    Collect().feed(html_text)
    return tags


def _dangerous(html_text: str) -> list[str]:
    """Every real tag or attribute of `html_text` outside the allow-list, and every unsafe link (escaped text, such
    as `&lt;script&gt;`, is text: it is what the reader should see)."""
    found: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in TAGS:
                found.append(f"<{tag}>")
            for name, value in attrs:
                if name not in {"href", "title", "rel", "start"}:
                    found.append(f"{tag}[{name}]")
                if name == "href" and not safe_href(value or ""):
                    found.append(f"href={value}")
                if name == "href" and "evil.example" in (value or ""):
                    found.append(f"href={value}")

    Collect().feed(html_text)
    return found


@pytest.mark.parametrize("payload", HOSTILE_MARKDOWN)
def test_hostile_markdown_is_refused_on_save_and_harmless_when_rendered(payload):
    rendered = render_markdown(payload)
    assert not _dangerous(rendered), (payload, rendered)
    # Refused on save, unless Markdown reads it as plain text (not a tag, not a link): then it is shown as typed.
    assert markdown_problem(payload) is not None or _tags(rendered) <= {"p", "strong"}, (payload, rendered)
    tree = json.dumps(rich_text(payload).to_plotly_json(), default=lambda c: c.to_plotly_json())
    for attribute in ('"onerror"', '"onload"', '"style"', '"src"', '"dangerously_allow_html"'):
        assert attribute not in tree
    assert '"href": "javascript' not in tree.lower() and '"Script"' not in tree and '"Img"' not in tree


def test_markdown_keeps_what_a_sheet_needs():
    text = ("# Avant\n\n**gras**, *italique*, ~~barré~~, `code`\n\n- un\n- deux\n\n3. trois\n\n| a | b |\n|---|---|\n"
            "| 1 | 2 |\n\n> citation\n\n[ANSSI](https://cyber.gouv.fr) et [écrire](mailto:contact@exemple.example)")
    assert markdown_problem(text) is None
    rendered = render_markdown(text)
    for tag in ("<h3>", "<strong>", "<em>", "<s>", "<code>", "<ul>", '<ol start="3">', "<table>", "<blockquote>"):
        assert tag in rendered, tag
    assert '<a href="https://cyber.gouv.fr" rel="noopener noreferrer nofollow">' in rendered
    assert 'href="mailto:contact@exemple.example"' in rendered
    assert markdown_problem("pression < 6 bar et débit > 2 m³/min") is None  # comparisons are not HTML
    assert "&lt; 6 bar" in render_markdown("pression < 6 bar")


def test_rendered_html_becomes_dash_components_with_text_as_text():
    tree = components_from_html(render_markdown("Un **fort** [lien](https://a.example) et `<b>` en code"))
    paragraph = tree[0]
    assert type(paragraph).__name__ == "P"
    kinds = [type(c).__name__ if not isinstance(c, str) else "text" for c in paragraph.children]
    assert kinds == ["text", "Strong", "text", "A", "text", "Code", "text"]
    link = paragraph.children[3]
    assert link.href == "https://a.example" and link.rel == "noopener noreferrer nofollow"
    assert paragraph.children[5].children == ["<b>"]  # shown, never parsed
    # Even HTML that did not come from the sanitiser keeps only allowed tags and checked links.
    raw = components_from_html('<p onclick="x"><a href="javascript:x">a</a><script>b</script><img src=x></p>')
    assert json.dumps(raw[0].to_plotly_json(), default=lambda c: c.to_plotly_json()).count("javascript") == 0


def test_oversize_text_is_refused_before_parsing():
    huge = "a" * (1 << 20)
    assert "20\u00a0000 caractères au plus" in markdown_problem(huge)
    with pytest.raises(MarkdownTooLong, match="trop long"):
        render_markdown(huge)
    assert markdown_problem("a" * MAX_MARKDOWN_CHARS) is None


def test_only_absolute_http_https_and_mailto_links():
    assert safe_href("https://a.example/x?y=1") and safe_href("http://a.example") and safe_href("mailto:a@b.example")
    for href in ("javascript:x", "https:/a", "//a.example", "/x", "#top", "ftp://a.example", "mailto:",
                 "https://a.example/\u200bx", "data:text/plain,x", ""):
        assert not safe_href(href), href


def test_the_demo_sheets_pass_the_checks_they_would_meet_on_save():
    for spec in _SHEETS:
        for name in ("problem", "actions", "results"):
            assert markdown_problem(spec[name], limit=6000) is None, spec["title"]
        assert "(fictif)" in spec["title"]


# --- The state machine ---------------------------------------------------------------------------------

def test_sheets_move_draft_submitted_published_or_returned_and_back():
    assert rules.check_transition("draft", "submitted") == "author"
    assert rules.check_transition("returned", "submitted") == "author"
    assert rules.check_transition("submitted", "published") == "staff"
    assert rules.check_transition("submitted", "returned", comment="Chiffrez") == "staff"
    assert rules.check_transition("published", "returned", comment="Retirée") == "staff"
    with pytest.raises(rules.TransitionError, match="commentaire"):
        rules.check_transition("submitted", "returned", comment="  ")
    for current, new in [("draft", "published"), ("returned", "published"), ("published", "submitted"),
                         ("draft", "returned"), ("published", "draft")]:
        with pytest.raises(rules.TransitionError, match="Impossible"):
            rules.check_transition(current, new)


# --- The service ----------------------------------------------------------------------------------------

@pytest.fixture()
def private(new_database, demo_database, tmp_path) -> DataService:
    db = new_database(demo_database)
    return DataService(db.engine, load_settings({}, database_url=db.url, instance_dir=tmp_path, auto_demo=False),
                       version_check_seconds=0)


def _member(site: str = SITE) -> Viewer:
    return Viewer(Role.MEMBER, None, "auteur@tests.example", frozenset({site}))


STAFF = Viewer(Role.STAFF, None, "equipe@tests.example")


def _sheet(**changes) -> dict:
    return {"site": SITE, "title": "Réduire les rebuts à l'emboutissage (test)", "problem": "Trop de **rebuts**.",
            "actions": "- Capteur d'effort\n- Standard", "results": "Rebuts : 3,1 % → 1,2 %.",
            "themes": ["lean"], "capabilities": ["emboutissage"], "contact": "Marie Curie, méthodes", **changes}


def _counts(service: DataService) -> tuple[int, int]:
    return len(repository.practices_frame(service.engine)), repository.audit_count(service.engine)


def test_the_demo_has_published_submitted_and_returned_sheets(private):
    sheets = repository.practices_frame(private.engine)
    assert 8 <= len(sheets) <= 12 and sheets["is_demo"].all()
    # Each sheet joins the demo circle of its first theme.
    themes = repository.circles_frame(private.engine).set_index("id")["theme_code"]
    assert sheets["circle_id"].notna().all()
    assert [themes[c] for c in sheets["circle_id"]] == [t.split(";")[0] for t in sheets["themes"]]
    counts = sheets["status"].value_counts().to_dict()
    assert counts["submitted"] == 1 and counts["returned"] == 1 and counts["published"] >= 6
    assert (pd.to_datetime(sheets["updated_at"]) <= pd.Timestamp.now()).all()
    returned = sheets[sheets["status"] == "returned"]["id"].iloc[0]
    steps = repository.practice_reviews(private.engine, [int(returned)])
    assert steps.iloc[-1]["to_status"] == "returned" and steps.iloc[-1]["comment"]


def test_a_member_writes_submits_and_staff_publish_each_step_audited(private):
    before_sheets, before_audit = _counts(private)
    sheet_id = pr.create_sheet(private, _member(), _sheet())
    assert pr.sheet(private, sheet_id, _member())["status"] == "draft"
    with pytest.raises(pr.PracticeNotFound):  # a draft is its author's and staff's only
        pr.sheet(private, sheet_id, ANONYMOUS)
    with pytest.raises(pr.PracticeNotFound):
        pr.sheet(private, sheet_id, _member("DEMO-0000002"))
    pr.update_sheet(private, _member(), sheet_id, _sheet(title="Rebuts à l'emboutissage : −60 % (test)"))
    pr.submit_sheet(private, _member(), sheet_id)
    with pytest.raises(pr.TransitionError, match="ne se modifie plus"):
        pr.update_sheet(private, _member(), sheet_id, _sheet())
    with pytest.raises(Forbidden):  # the author cannot publish their own sheet
        pr.review_sheet(private, _member(), sheet_id, "published")
    assert sheet_id in {s["id"] for s in pr.search(private, STAFF, pr.PracticeQuery(status="submitted"))}
    pr.review_sheet(private, STAFF, sheet_id, "published")
    public = pr.sheet(private, sheet_id, ANONYMOUS)
    assert public["status"] == "published" and public["published_at"] is not None
    assert "contact" not in public and "created_by" not in public
    assert pr.sheet(private, sheet_id, _member("DEMO-0000002"))["contact"] == "Marie Curie, méthodes"
    with pytest.raises(pr.TransitionError):  # already published: a second click changes nothing
        pr.review_sheet(private, STAFF, sheet_id, "published")
    assert _counts(private) == (before_sheets + 1, before_audit + 4)  # create, update, submit, publish
    actions = repository.audit_entries(private.engine, limit=4)["action"].tolist()
    assert set(actions) == {"practice.create", "practice.update", "practice.submit", "practice.publish"}
    steps = [s["to"] for s in pr.history(private, sheet_id, _member())]
    assert steps == ["submitted", "published"] and pr.history(private, sheet_id, ANONYMOUS) == []


def test_staff_return_a_sheet_with_a_comment_and_the_author_submits_it_again(private):
    sheet_id = pr.create_sheet(private, _member(), _sheet(), submit=True)
    with pytest.raises(pr.TransitionError, match="commentaire"):
        pr.review_sheet(private, STAFF, sheet_id, "returned", comment="")
    pr.review_sheet(private, STAFF, sheet_id, "returned", comment="Chiffrez le gain en euros.")
    assert pr.sheet(private, sheet_id, _member())["status"] == "returned"
    assert pr.history(private, sheet_id, _member())[-1]["comment"] == "Chiffrez le gain en euros."
    pr.update_sheet(private, _member(), sheet_id, _sheet(results="Rebuts −60 %, 18 000 € par an."), submit=True)
    assert pr.sheet(private, sheet_id, STAFF)["status"] == "submitted"


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"title": "", "problem": "", "actions": "", "results": ""}, "title", "vide"),
    ({"title": "x" * 201}, "title", "200 caractères au plus"),
    ({"problem": "a" * (1 << 20)}, "problem", "6\u00a0000 caractères au plus"),
    ({"themes": ["inconnu"]}, "themes", "inconnu"),
    ({"capabilities": ["pas_un_code"]}, "capabilities", "inconnu"),
    ({"actions": "<script>alert(1)</script>"}, "actions", "HTML n'est pas accepté"),
    ({"results": "[x](javascript:alert(1))"}, "results", "lien refusé"),
    ({"problem": "![p](https://evil.example/p.png)"}, "problem", "images"),
    ({"circle_id": "abc"}, "circle_id", "entier"),
    ({"site": "DEMO-9999999"}, "site", "inconnu"),
    ({"couleur": "rouge"}, "couleur", "Champ inconnu"),
])
def test_bad_input_is_refused_in_french_and_nothing_is_saved(private, changes, field, words):
    before = _counts(private)
    with pytest.raises(pr.PracticeInputError) as error:
        pr.create_sheet(private, _member(), _sheet(**changes))
    assert error.value.field == field and words in error.value.message
    assert _counts(private) == before


def test_a_submitted_sheet_needs_its_three_texts_and_a_theme(private):
    with pytest.raises(pr.PracticeInputError, match="complétez : les résultats mesurés"):
        pr.create_sheet(private, _member(), _sheet(results=""), submit=True)
    with pytest.raises(pr.PracticeInputError, match="thème"):
        pr.create_sheet(private, _member(), _sheet(themes=[]), submit=True)
    assert pr.create_sheet(private, _member(), _sheet(results="", themes=[]))  # a draft may be unfinished


def test_a_sheet_on_someone_elses_site_or_without_an_account_is_refused(private):
    before = _counts(private)
    with pytest.raises(Forbidden, match="votre compte"):
        pr.create_sheet(private, _member(), _sheet(site="DEMO-0000002"))
    with pytest.raises(Forbidden, match="Connectez-vous"):
        pr.create_sheet(private, ANONYMOUS, _sheet())
    sheet_id = pr.create_sheet(private, _member(), _sheet())
    with pytest.raises(pr.PracticeNotFound):
        pr.update_sheet(private, _member("DEMO-0000002"), sheet_id, _sheet())
    with pytest.raises(pr.PracticeInputError, match="ne change pas"):
        pr.update_sheet(private, _member(), sheet_id, _sheet(site="DEMO-0000002"))
    assert _counts(private)[0] == before[0] + 1


def test_search_is_accent_insensitive_ranked_and_filtered(private):
    published = pr.search(private, ANONYMOUS)
    assert published and all(s["status"] == "published" and "contact" not in s for s in published)
    found = pr.search(private, ANONYMOUS, pr.PracticeQuery(text="recuperation chaleur"))
    assert found and "Récupération de chaleur" in found[0]["title"]
    assert pr.search(private, ANONYMOUS, pr.PracticeQuery(text="FOUR"))[0]["id"] == found[0]["id"]  # title first
    air = pr.search(private, ANONYMOUS, pr.PracticeQuery(text="air comprime"))
    assert air and "air comprimé" in air[0]["title"]
    by_text = pr.search(private, ANONYMOUS, pr.PracticeQuery(text="ultrasons"))  # in "what was done" only
    assert [s["title"] for s in by_text] == [air[0]["title"]]
    energy = pr.search(private, ANONYMOUS, pr.PracticeQuery(theme="energie"))
    assert energy and all("energie" in s["themes"] for s in energy)
    by_theme_label = pr.search(private, ANONYMOUS, pr.PracticeQuery(text="decarbonation"))
    assert {s["id"] for s in by_theme_label} == {s["id"] for s in energy}
    stamping = pr.search(private, ANONYMOUS, pr.PracticeQuery(capability="emboutissage"))
    assert [s["capabilities"] for s in stamping] == [["emboutissage"]]
    department = published[0]["department_code"]
    in_department = pr.search(private, ANONYMOUS, pr.PracticeQuery(department=department))
    assert in_department and all(s["department_code"] == department for s in in_department)
    assert pr.search(private, ANONYMOUS, pr.PracticeQuery(text="zzzz introuvable")) == []


def test_circle_filter_and_staff_status_filters(private):
    sheet_id = pr.create_sheet(private, _member(), _sheet(circle_id=4), submit=True)
    pr.review_sheet(private, STAFF, sheet_id, "published")
    found = pr.search(private, ANONYMOUS, pr.PracticeQuery(circle=4))
    assert sheet_id in [s["id"] for s in found] and {s["circle_id"] for s in found} == {4}
    with pytest.raises(pr.PracticeInputError, match="Cercle n° 999 inconnu"):
        pr.create_sheet(private, _member(), _sheet(circle_id=999), submit=True)
    with pytest.raises(Forbidden):
        pr.search(private, _member(), pr.PracticeQuery(status="submitted"))
    every = pr.search(private, STAFF, pr.PracticeQuery(status="all"))
    assert {"published", "submitted", "returned"} <= {s["status"] for s in every}
    mine = pr.search(private, _member(), pr.PracticeQuery(mine=True))
    assert mine and all(s["site_id"] == SITE for s in mine)
    assert pr.search(private, ANONYMOUS, pr.PracticeQuery(mine=True)) == []


def test_two_reviewers_at_once_cannot_both_move_a_sheet(private):
    sheet_id = pr.create_sheet(private, _member(), _sheet(), submit=True)
    assert repository.update_practice(private.engine, sheet_id, {"status": "published"}, expected=["submitted"],
                                      audit=repository.AuditRecord(None, "a", "practice.publish", ""))
    assert not repository.update_practice(private.engine, sheet_id, {"status": "returned"}, expected=["submitted"],
                                          audit=repository.AuditRecord(None, "b", "practice.return", ""))
    assert pr.sheet(private, sheet_id, STAFF)["status"] == "published"


def test_demo_dates_are_relative_to_the_day_of_loading(private):
    from dashboard.demo.practices import load_demo

    later = dt.date.today() + dt.timedelta(days=30)
    load_demo(private.engine, today=later)
    sheets = repository.practices_frame(private.engine)
    newest = pd.to_datetime(sheets["updated_at"]).max().date()
    assert dt.date.today() < newest <= later
