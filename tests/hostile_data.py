"""Hostile text written into a copy of the demo: the names, addresses and free texts pages, exports and the PDF show.

Each payload that could run script sets `window.__pwned` (some also call `alert`), so a browser test fails on
either; formula payloads start with `=`, `+`, `-`, `@`, tab or carriage return; one string is 10 KB long;
others carry a right-to-left override, Arabic and emoji. On PostgreSQL, text longer than its column is cut to
the column (an importer could not store more either); SQLite keeps it whole.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from dashboard import models

PWN = "window.__pwned=(window.__pwned||0)+1"
SCRIPTS = [
    f"<script>{PWN}</script>",
    f'<img src=x onerror="{PWN};alert(1)">',
    f'" onmouseover="{PWN}" autofocus onfocus="{PWN}" x="',
    f'<a href="javascript:{PWN}">clic</a>',
    f"javascript:{PWN}//",
    f'<svg onload="{PWN}"></svg><b>gras</b>',
]
FORMULAS = ['=HYPERLINK("http://x","clic")', "+1+1", "-2+3", "@SUM(A1)", "\tfoo", "\rbar"]
OTHERS = ["<script>alert(1)</script>", "x" * 10_240, "شركة الحديد والصلب", "Forge 🔥 Métal ⚙️",
          "\u202eegroF\u202c Usine 🏭"]
HOSTILE = FORMULAS + OTHERS + SCRIPTS
# Markdown of practice sheets, written around the validation (an import, an older version): links, raw HTML and
# images the renderer must neutralise (dashboard/markdown_text.py).
MARKDOWN = [
    f"[clic](javascript:{PWN}) et <script>{PWN}</script>",
    f'**gras** <img src=x onerror="{PWN};alert(1)"> [data](data:text/html,<script>{PWN}</script>)',
    f"<javascript:{PWN}> ![p](https://evil.example/p.png) [ok][r]\n\n[r]: JAVASCRIPT:{PWN}",
    f'<a href="javascript:{PWN}">a</a> <svg onload="{PWN}"></svg> <iframe src="https://evil.example"></iframe>',
]
# The data sources of every indicator: the fiche's PDF prints them, it must show this literally.
PDF_SOURCE = '<b>Source</b> <img src=x onerror="alert(1)"> <font color=red>rouge</font> =1+1'


def write_hostile(engine: Engine, backend: str) -> None:
    """Cycle HOSTILE through every user-visible text column of the demo copy behind `engine`."""

    def cycle(conn, table: str, column: str, key: str = "id", suffix: bool = False) -> None:
        # PostgreSQL enforces VARCHAR lengths (SQLite does not): there the 10 KB string is cut to fit.
        length = None if backend == "sqlite" else models.Base.metadata.tables[table].c[column].type.length
        keys = conn.execute(text(f"SELECT {key} FROM {table} ORDER BY {key}")).scalars().all()
        tails = [f" {k}" if suffix else "" for k in keys]
        rows = [{"value": HOSTILE[i % len(HOSTILE)][:length and length - len(tail)] + tail, "key": k}
                for i, (k, tail) in enumerate(zip(keys, tails))]
        if rows:
            conn.execute(text(f"UPDATE {table} SET {column} = :value WHERE {key} = :key"), rows)

    with engine.begin() as conn:
        cycle(conn, "establishments", "name")
        cycle(conn, "establishments", "address")
        cycle(conn, "capabilities", "label", "code", suffix=True)  # labels are unique
        cycle(conn, "epci", "name", "code")
        cycle(conn, "participants", "name")
        cycle(conn, "meetings", "why")
        cycle(conn, "trades", "label", "code")
        cycle(conn, "bmo_areas", "name", "code")
        cycle(conn, "indicator_catalog", "label", "code")
        cycle(conn, "training_sites", "name")
        cycle(conn, "investment_projects", "name")
        conn.execute(text("UPDATE datasets SET source_name = :v"), {"v": HOSTILE[0]})
        conn.execute(text("UPDATE recruitment_needs SET source_name = :v"), {"v": HOSTILE[3]})
        conn.execute(text("UPDATE indicator_values SET source_name = :v"), {"v": PDF_SOURCE})
        conn.execute(text("UPDATE events SET venue = :v"), {"v": SCRIPTS[1]})
        cycle(conn, "practice_sheets", "title")
        sheets = conn.execute(text("SELECT id FROM practice_sheets ORDER BY id")).scalars().all()
        conn.execute(text("UPDATE practice_sheets SET problem = :p, actions = :a, results = :r, contact = :c "
                          "WHERE id = :id"),
                     [{"p": MARKDOWN[i % len(MARKDOWN)], "a": MARKDOWN[(i + 1) % len(MARKDOWN)],
                       "r": MARKDOWN[(i + 2) % len(MARKDOWN)], "c": SCRIPTS[i % len(SCRIPTS)], "id": k}
                      for i, k in enumerate(sheets)])
