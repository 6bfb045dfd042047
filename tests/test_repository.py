"""The repository stands on its own: its citations resolve and it refers to nothing outside itself.

* Every citation ``[src:<id>]`` (and every link ``sources.md#<id>``) in a repository file names an
  entry of ``docs/sources.md``, and every entry there has a status label.
* Every ``source`` field of the configuration cites an entry or names a public source (a URL, or a
  known publisher together with a year), as ``docs/sources.md`` defines.
* No file refers to a path outside the repository, to the old external notes the sources page
  replaced, to ticket numbers or to team roles.

"Repository files" are the files git tracks plus new files it does not ignore, so a file counts
before it is committed. The forbidden phrases below are assembled from fragments so that this
module does not match itself.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
SOURCES_PAGE = ROOT / "docs" / "sources.md"

#: A citation: ``[src:`` + id + ``]``.
CITATION = re.compile(re.escape("[" + "src:") + r"([^\]\s]*)\]")
#: A Markdown link into the sources page.
SOURCES_LINK = re.compile(r"sources\.md#([A-Za-z0-9_-]+)")
#: Either form, to find the files worth reading line by line.
ANY_CITATION = re.compile(CITATION.pattern + "|" + SOURCES_LINK.pattern)
#: The placeholder used where the syntax itself is explained.
PLACEHOLDER = "<id>"
ANCHOR = re.compile(r'<a id="([^"]*)"></a>')
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
STATUS_LINE = re.compile(r"^- \*\*Status:\*\* (\w+)", re.MULTILINE)
STATUSES = ("confirmed", "secondary", "derived", "unconfirmed")

#: A public source named directly: a URL, or a known publisher together with a year.
URL = re.compile(r"https?://\S+")
PUBLISHERS = (
    "RCR",
    "BSIR",
    "BMA",
    "BSG",
    "JAG",
    "NICE",
    "HEE",
    "NHS England",
    "NHS Employers",
    "NHS Digital",
    "DHSC",
    "HM Treasury",
    "SCoR",
    "SoR",
    "CoR",
    "Working Time Regulations",
)
NAMED_PUBLICATION = re.compile(
    r"\b(?:" + "|".join(re.escape(p) for p in PUBLISHERS) + r")\b.*\b(?:19|20)\d{2}\b"
)

#: Paths outside the repository: the parent's shared folder, the build machine, home folders.
OUTSIDE_PATHS = re.compile(
    "|".join(
        (
            "(?:" + re.escape("../") + ")+" + "shared" + r"\b",
            re.escape("/" + "work" + "/"),
            re.escape("/" + "home" + "/") + r"\w",
            re.escape("/" + "Users" + "/") + r"\w",
        )
    )
)
#: Mentions of the external notes that docs/sources.md replaced.
OLD_NOTES = re.compile(
    "|".join(
        (
            r"\bthe " + "brief" + r"\b",
            r"\bdomain " + "brief" + r"\b",
            r"\b" + "brief" + r"\s*§",
            r"\b" + "brief" + r"\s+of\s+" + "issue",
            "BRIEF" + re.escape(".md"),
        )
    ),
    re.IGNORECASE,
)
#: Ticket numbers and team roles: the project's history, not the product.
ROLES = ("data", "ooh", "demand", "pipeline", "training", "rota", "benchmark", "refresh", "lead")
PROCESS = re.compile(
    "|".join(
        (
            r"\b" + "issue" + r"s?\s*#?\s*\d+",
            r"\b(?:" + "|".join(ROLES) + r")\s+" + "engineer",
            r"\b(?:demand|projection|pipeline|training|ooh|data|rota)\s+" + "issue" + r"\b",
        )
    ),
    re.IGNORECASE,
)


@functools.cache
def repository_files() -> tuple[str, ...]:
    """Tracked files plus new, not ignored ones, relative to the repository root."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"not a git checkout: {exc}")
    names = sorted({name for name in listed.decode().split("\0") if name})
    return tuple(name for name in names if (ROOT / name).is_file())


@functools.cache
def text_of(name: str) -> str | None:
    """The file's text, or ``None`` for a binary file."""
    data = (ROOT / name).read_bytes()
    if b"\0" in data:
        return None
    return data.decode("utf-8", errors="replace")


@functools.cache
def lower_text_of(name: str) -> str | None:
    """The file's text in lower case, or ``None`` for a binary file."""
    text = text_of(name)
    return None if text is None else text.lower()


def text_lines(
    pattern: re.Pattern[str], keywords: tuple[str, ...]
) -> Iterator[tuple[str, int, str]]:
    """(file, line number, line) of every line of a repository text file that matches ``pattern``.

    A file is read line by line only if its lower-cased text holds one of ``keywords`` (a cheap
    filter: every match of ``pattern`` contains one of them) and ``pattern`` matches it at all.
    """
    for name in repository_files():
        low = lower_text_of(name)
        if low is None or not any(k in low for k in keywords):
            continue
        text = text_of(name)
        if not pattern.search(text):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.search(line):
                yield name, number, line


@functools.cache
def anchors() -> frozenset[str]:
    """The entry ids of ``docs/sources.md``."""
    return frozenset(ANCHOR.findall(SOURCES_PAGE.read_text(encoding="utf-8")))


def cited_ids(text: str) -> list[str]:
    """Ids cited in ``text``, by either form (the documentation placeholder left out)."""
    ids = CITATION.findall(text) + SOURCES_LINK.findall(text)
    return [i for i in ids if i != PLACEHOLDER]


def offending(
    pattern: re.Pattern[str], keywords: tuple[str, ...], skip: tuple[str, ...] = ()
) -> list[str]:
    """``file:line: text`` of every repository line matching ``pattern`` (:func:`text_lines`)."""
    return [
        f"{name}:{number}: {line.strip()[:160]}"
        for name, number, line in text_lines(pattern, keywords)
        if not name.startswith(skip)
    ]


def test_sources_page_entries_are_unique_slugs_with_a_status():
    text = SOURCES_PAGE.read_text(encoding="utf-8")
    ids = ANCHOR.findall(text)
    assert len(ids) >= 20
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    bad = [i for i in ids if not SLUG.fullmatch(i)]
    assert not bad, f"anchor ids must be lower-case slugs: {bad}"
    # Each entry runs from its anchor to the next; it states exactly one known status.
    starts = [m.start() for m in ANCHOR.finditer(text)] + [len(text)]
    for entry_id, start, end in zip(ids, starts, starts[1:], strict=False):
        statuses = STATUS_LINE.findall(text[start:end])
        assert len(statuses) == 1, f"{entry_id}: needs one '- **Status:**' line, has {statuses}"
        assert statuses[0] in STATUSES, f"{entry_id}: unknown status {statuses[0]!r}"


def test_every_citation_resolves():
    known = anchors()
    unknown = [
        f"{name}:{number}: unknown source id {cited!r}"
        for name, number, line in text_lines(ANY_CITATION, ("[" + "src:", "sources.md#"))
        for cited in cited_ids(line)
        if cited not in known
    ]
    assert not unknown, "\n".join(unknown)


def test_every_entry_is_cited_somewhere():
    cited: set[str] = set()
    for name in repository_files():
        if name == "docs/sources.md":
            continue
        text = text_of(name)
        if text is not None:
            cited.update(cited_ids(text))
    page_only = sorted(anchors() - cited)
    # Entries cited only from other entries still document facts the cited entries rely on.
    page = SOURCES_PAGE.read_text(encoding="utf-8")
    uncited = [i for i in page_only if page.count("[" + f"src:{i}]") == 0]
    assert not uncited, f"entries nothing cites: {uncited}"


def _yaml_sources(node: object, where: str) -> Iterator[tuple[str, object]]:
    """(where, value) of every mapping key named ``source`` in a YAML or JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "source":
                yield where, value
            yield from _yaml_sources(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _yaml_sources(item, f"{where}[{index}]")


def config_sources() -> Iterator[tuple[str, object]]:
    """(where, text) of every ``source`` field in configuration and data contracts."""
    for name in repository_files():
        if name.startswith("config/") and name.endswith((".yaml", ".yml")):
            document = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
            yield from _yaml_sources(document, name)
        elif name.startswith("config/") and name.endswith(".csv"):
            reader = csv.DictReader(io.StringIO((ROOT / name).read_text(encoding="utf-8")))
            if reader.fieldnames and "source" in reader.fieldnames:
                for row_number, row in enumerate(reader, start=2):
                    yield f"{name}:{row_number}", row["source"]
        elif name.startswith("data_contracts/") and name.endswith(".json"):
            document = json.loads((ROOT / name).read_text(encoding="utf-8"))
            yield from _yaml_sources(document, name)


def is_public_source(text: str) -> bool:
    """A citation that resolves, a URL or a named publication (publisher and year)."""
    cited = cited_ids(text)
    if cited:
        return all(c in anchors() for c in cited)
    return bool(URL.search(text) or NAMED_PUBLICATION.search(text))


def test_public_source_rule():
    assert is_public_source("PA = 4 h [" + "src:consultant-job-plan]")
    assert is_public_source("see https://www.nice.org.uk/guidance/cg141")
    assert is_public_source("RCR census report 2024")
    assert not is_public_source("Assumption")
    assert not is_public_source("RCR census")  # no year
    assert not is_public_source("[" + "src:no-such-entry] and RCR 2024")


def test_every_config_source_is_a_citation_or_a_public_source():
    checked = list(config_sources())
    assert len(checked) > 100
    bad = [
        f"{where}: {value!r}"
        for where, value in checked
        if not isinstance(value, str) or not is_public_source(value)
    ]
    assert not bad, "\n".join(bad)


def test_no_file_refers_to_a_path_outside_the_repository():
    keywords = ("../", "/" + "work/", "/" + "home/", "/" + "users/")
    found = offending(OUTSIDE_PATHS, keywords, skip=(".ci/",))
    assert not found, "\n".join(found)


def test_no_file_cites_the_old_external_notes():
    found = offending(OLD_NOTES, ("brief",))
    assert not found, "\n".join(found)


def test_no_file_names_a_ticket_number_or_a_team_role():
    found = offending(PROCESS, ("issue", "engineer"))
    assert not found, "\n".join(found)
