"""References users can follow: code, docs and tests cite docs/aws-behaviour.md sections or AWS pages, nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BEHAVIOUR = ROOT / "docs" / "aws-behaviour.md"
_TEXT = (".py", ".md", ".txt", ".yaml", ".yml", ".json", ".toml", ".ini", ".cfg", ".html", ".js")


def _shipped() -> list[Path]:
    """Every text file of the package, its docs, tests, benchmarks and examples, and the top-level files."""
    files = [ROOT / name for name in ("README.md", "pyproject.toml", "tox.ini") if (ROOT / name).exists()]
    for folder in ("lambdachaos", "docs", "tests", "benchmarks", "examples", ".ci"):
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and (p.suffix in _TEXT or p.parent.name == ".ci")]
    return sorted(files)


def _citing() -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8", errors="replace")) for p in _shipped() if p != BEHAVIOUR]


def test_nothing_cites_a_fact_sheet_users_do_not_have():
    needle = "AWS-" + "SEMANTICS"  # spelled in two halves so that this file does not match itself
    found = [f"{p.relative_to(ROOT)}:{n}" for p, text in _citing()
             for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert found == []


def test_every_cited_section_exists_in_aws_behaviour():
    behaviour = BEHAVIOUR.read_text(encoding="utf-8")
    headings = set(re.findall(r"^### §(\d+) ", behaviour, flags=re.M))
    cited: dict[str, set[str]] = {}
    for path, text in _citing():
        for major, minor in re.findall(r"§ ?(\d+)(?:\.(\d+))?", text):
            cited.setdefault(f"§{major}.{minor}" if minor else f"§{major}", set()).add(str(path.relative_to(ROOT)))
    assert cited, "no section is cited anywhere: the pattern is wrong"
    missing = {ref: sorted(paths)[:3] for ref, paths in cited.items()
               if ref.split(".")[0][1:] not in headings or ref not in behaviour}
    assert missing == {}


def test_every_cited_decision_is_in_the_decision_table():
    behaviour = BEHAVIOUR.read_text(encoding="utf-8")
    table = set(re.findall(r"^\| (A\d+) \|", behaviour, flags=re.M))
    assert table == {f"A{n}" for n in range(1, 17)}
    cited = {m for _, text in _citing() for m in re.findall(r"(?:decision |\()(A\d+)\b|\b(A\d+)(?=[,)])", text)
             for m in m if m}
    assert cited and cited <= table, sorted(cited - table)


@pytest.mark.parametrize("url", sorted(set(re.findall(r"\]\((https?://[^)\s]+)\)", BEHAVIOUR.read_text("utf-8")))))
def test_the_linked_sources_are_aws_documentation_pages(url):
    assert url.startswith("https://docs.aws.amazon.com/"), url
