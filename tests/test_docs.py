"""The README's two commands are the ones CI runs; the repository refers to nothing outside it."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_quick_start_has_exactly_two_one_line_commands():
    commands = _quick_start_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert commands[0].endswith("tissu serve")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _quick_start_commands()[1] in ci


# --- The repository stands alone: no reference outside it, no link to a missing doc ---

# Built from parts so that this file does not match its own patterns.
_OUTSIDE = tuple(part + tail for part, tail in (("../", "shared"), ("shared/", "docs"), ("shared/", "tools"),
                                                ("/work/", "shared")))
_TEXT_SUFFIXES = {".py", ".md", ".toml", ".js", ".css", ".txt", ".cfg", ".ini", ".yml", ".yaml", ".sh", ".html"}
_SKIP_PARTS = {".git", ".venv", "venv", "node_modules", "__pycache__", "instance", "build", "dist",
               ".pytest_cache", ".mypy_cache", ".ruff_cache"}
_MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_DOCS_PATH = re.compile(r"(?<![\w/.-])(docs/[\w.-]+\.md)")


def _tracked_text_files() -> list[Path]:
    """Files under version control (git ls-files), else every file outside tool folders; text suffixes only."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        paths = [ROOT / name for name in listed.decode("utf-8").split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        paths = [p for p in ROOT.rglob("*") if p.is_file() and not _SKIP_PARTS & set(p.relative_to(ROOT).parts)]
    return sorted(p for p in paths if p.is_file() and (p.suffix in _TEXT_SUFFIXES or p == ROOT / ".ci" / "run"))


def _slug(heading: str) -> str:
    """GitHub's anchor of a markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(markdown: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", markdown.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*$", text, flags=re.M)}


def test_no_file_refers_outside_the_repository():
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for path in _tracked_text_files()
                 for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
                 if any(pattern in line for pattern in _OUTSIDE)]
    assert not offenders, "references outside the repository:\n" + "\n".join(offenders)


def test_markdown_links_point_to_existing_files_and_headings():
    broken = []
    for path in _tracked_text_files():
        if path.suffix != ".md":
            continue
        text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
        for target in _MD_LINK.findall(text):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
                continue  # a URL, or a route of the running app such as /api/v1/openapi.json
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                broken.append(f"{path.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{path.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_every_docs_path_mentioned_in_docs_readme_or_code_exists():
    missing = sorted({f"{path.relative_to(ROOT)}: {name}"
                      for path in _tracked_text_files()
                      for name in _DOCS_PATH.findall(path.read_text(encoding="utf-8", errors="replace"))
                      if not (ROOT / name).is_file()})
    assert not missing, "docs/*.md files referred to but absent:\n" + "\n".join(missing)


def test_the_link_checks_catch_what_they_are_meant_to(tmp_path):
    assert _slug("## 3. BMO survey (France Travail), `tissu import bmo`".lstrip("# ")) == \
        "3-bmo-survey-france-travail-tissu-import-bmo"
    missing = "docs/" + "missing-page.md"  # in parts, so that this file mentions no missing doc
    assert _DOCS_PATH.findall(f"see `{missing}` and docs/sources.md") == [missing, "docs/sources.md"]
    assert not _DOCS_PATH.findall("data/docs/x.md")
    assert _MD_LINK.findall("[a](sources.md#x) and [b](https://example.org)") == ["sources.md#x", "https://example.org"]
    assert any(p in "python " + "../" + "shared/" + "tools/shot.py" for p in _OUTSIDE)
