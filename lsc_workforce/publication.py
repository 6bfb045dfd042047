"""What every published page and workbook says about itself: run, dates, version, contact, data.

:func:`run_meta` reads the run folder's ``manifest.json`` (written by the refresh when the run
starts, and by ``lsc-workforce run`` in its scratch folder): the run id, the planning "as at"
date, the publication date (a parameter of the refresh, ``publication_date`` in
``config/refresh.yaml``, never the clock), the package version and commit, and whether the data
are the shipped synthetic reference data, in which case every page carries
:data:`SYNTHETIC_BANNER`. The contact and publisher come from ``config/labels.yaml``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from lsc_workforce.config import CONFIG_DIR, REFERENCE_AS_AT, REFERENCE_DATA_DIR
from lsc_workforce.labels import load_labels

SYNTHETIC_BANNER = (
    "Synthetic data: these figures come from the shipped synthetic reference data, made to "
    "look like Lancashire and South Cumbria's. They describe no real trust, person or post "
    "and must not be used for decisions."
)


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
        contact: whom to contact.
    """

    run_id: str
    as_at: str
    publication_date: str
    version: str
    synthetic: bool
    publisher: str
    contact: str

    def lines(self) -> list[tuple[str, str]]:
        """``(label, value)`` pairs for a metadata block or a README sheet."""
        return [
            ("Publication date", self.publication_date),
            ("Data as at", self.as_at),
            ("Run id", self.run_id),
            ("Version", self.version),
            ("Published by", self.publisher),
            ("Contact", self.contact),
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
    )
