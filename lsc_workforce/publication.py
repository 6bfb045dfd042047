"""What every published page and workbook says about itself: run, dates, version, contact, data.

:func:`run_meta` reads the run folder's ``manifest.json`` (written by the refresh when the run
starts, and by ``lsc-workforce run`` in its scratch folder): the run id, the planning "as at"
date, the publication date (a parameter of the refresh, ``publication_date`` in
``config/refresh.yaml``, never the clock), the package version and commit, and whether the data
are the shipped synthetic reference data, in which case every page carries
:data:`SYNTHETIC_BANNER`. The publisher and the contact (a team and its shared mailbox, set per
deployment) come from the ``publication`` section of ``config/labels.yaml``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from lsc_workforce.config import CONFIG_DIR, REFERENCE_AS_AT, REFERENCE_DATA_DIR
from lsc_workforce.labels import load_labels
from lsc_workforce.tables import NHS_BLUE, NHS_DARK_BLUE

SYNTHETIC_BANNER = (
    "Synthetic data: these figures come from the shipped synthetic reference data, made to "
    "look like Lancashire and South Cumbria's. They describe no real trust, person or post "
    "and must not be used for decisions."
)


#: Screen and print styles: NHS identity colours, Arial, AA contrast (text #212B32 on white,
#: white on NHS blue 5.1:1, white on dark red 8.9:1), A4 pages when printed.
PAGE_CSS = f"""
body{{font-family:Arial,Helvetica,sans-serif;color:#212B32;background:#fff;margin:0;
line-height:1.45}}
main,header.lsc-head>div{{max-width:1100px;margin:0 auto;padding:0 16px}}
header.lsc-head{{background:{NHS_BLUE};color:#fff;padding:12px 0 16px}}
header.lsc-head h1{{margin:.2em 0;font-size:1.8em}}
header.lsc-head p{{margin:0}}
h2{{color:{NHS_DARK_BLUE};border-bottom:2px solid {NHS_BLUE};padding-bottom:4px;margin-top:1.6em}}
h3{{color:{NHS_DARK_BLUE}}}
.lsc-synthetic{{background:#8A1538;color:#fff;font-weight:bold;padding:10px 14px;margin:12px 0}}
dl.lsc-meta{{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:12px 0;
font-size:.92em}}
dl.lsc-meta dt{{font-weight:bold}}dl.lsc-meta dd{{margin:0}}
.lsc-cards{{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:12px;
margin:12px 0}}
.lsc-card{{border:1px solid #AEB7BD;border-top:6px solid {NHS_BLUE};padding:10px 12px}}
.lsc-card .lsc-value{{font-size:1.7em;font-weight:bold;color:{NHS_DARK_BLUE}}}
.lsc-card p{{margin:.3em 0}}
figure{{margin:16px 0;max-width:100%;overflow-x:auto}}
figure svg{{max-width:100%;height:auto}}
figcaption{{color:#425563;font-size:.9em}}
.lsc-note{{color:#425563}}
a{{color:{NHS_BLUE}}}
@media print{{
 @page{{size:A4;margin:14mm 12mm}}
 body{{font-size:10pt}}
 header.lsc-head{{background:none;color:#000;border-bottom:3px solid {NHS_BLUE}}}
 main,header.lsc-head>div{{max-width:none;padding:0}}
 .lsc-synthetic{{border:2px solid #8A1538;color:#8A1538;background:none}}
 figure,table,.lsc-card{{break-inside:avoid}}
 h2{{break-after:avoid}}
 figure{{overflow:visible}}
 div[id^="lsc-table-"]{{overflow:visible!important}}
 a[href^="http"]::after{{content:" (" attr(href) ")"}}
}}
"""


@dataclass(frozen=True)
class RunMeta:
    """Metadata a published page or workbook shows.

    Attributes:
        run_id: the refresh's run id (``scratch`` for ``lsc-workforce run``).
        as_at: planning "as at" date of the data (ISO).
        publication_date: the date the publication carries (ISO).
        version: the ``lsc-workforce`` package version, with the commit when known.
        synthetic: the data are the shipped synthetic reference data.
        publisher: who publishes it.
        contact: whom to contact (a team, never a person's name).
        contact_email: the team's shared mailbox (``""`` when not configured).
    """

    run_id: str
    as_at: str
    publication_date: str
    version: str
    synthetic: bool
    publisher: str
    contact: str
    contact_email: str = ""

    @property
    def contact_text(self) -> str:
        """The contact with its mailbox: ``Team (team@example.org)``."""
        if self.contact and self.contact_email:
            return f"{self.contact} ({self.contact_email})"
        return self.contact or self.contact_email

    def lines(self) -> list[tuple[str, str]]:
        """``(label, value)`` pairs for a metadata block or a README sheet."""
        return [
            ("Publication date", self.publication_date),
            ("Data as at", self.as_at),
            ("Run id", self.run_id),
            ("Version", self.version),
            ("Published by", self.publisher),
            ("Contact", self.contact_text),
            ("Data", "synthetic reference data" if self.synthetic else "trust extracts"),
        ]

    def banner_html(self) -> str:
        """The synthetic-data banner (``""`` for real data)."""
        if not self.synthetic:
            return ""
        return f'<p class="lsc-synthetic" role="note">{html.escape(SYNTHETIC_BANNER)}</p>'


def _version(commit: str | None) -> str:
    try:
        version = metadata.version("lsc-workforce")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"{version} ({commit[:10]})" if commit else version


def is_reference_data(data_dir: str | Path | None) -> bool:
    """Whether a data folder holds the shipped synthetic reference data, file for file.

    Compared by content (SHA-256 of every file), so a copy of the reference data elsewhere
    still counts as synthetic, and edited extracts in the reference folder do not. An unknown
    folder (``None``) counts as synthetic: the banner is never left off by mistake.
    """
    from lsc_workforce.run import hash_tree  # noqa: PLC0415 - run imports the report modules

    if data_dir is None or not Path(data_dir).is_dir():
        return True
    return hash_tree(Path(data_dir)) == hash_tree(REFERENCE_DATA_DIR)


def run_meta(output_dir: str | Path, config_dir: Path = CONFIG_DIR) -> RunMeta:
    """The metadata of the run whose output folder is ``output_dir``.

    Without a ``manifest.json`` (a notebook run by hand), the run id is ``manual``, the dates
    are the reference ``as_at`` and the data count as synthetic (:func:`is_reference_data`).
    """
    path = Path(output_dir) / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    parameters = manifest.get("parameters") or {}
    as_at = str(parameters.get("as_at") or REFERENCE_AS_AT.isoformat())
    synthetic = is_reference_data(parameters.get("data_dir"))
    publication = load_labels(config_dir).publication
    return RunMeta(
        run_id=str(manifest.get("run_id") or "manual"),
        as_at=as_at,
        publication_date=str(parameters.get("publication_date") or as_at),
        version=_version((manifest.get("git") or {}).get("commit")),
        synthetic=synthetic,
        publisher=publication.get("publisher", ""),
        contact=publication.get("contact", ""),
        contact_email=publication.get("contact_email", ""),
    )
