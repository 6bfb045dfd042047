"""The contact every published page shows comes from ``config/labels.yaml``."""

from __future__ import annotations

import re

import pytest

from lsc_workforce.config import CONFIG_DIR
from lsc_workforce.labels import load_labels
from lsc_workforce.publication import run_meta

pytestmark = pytest.mark.unit


def test_the_shipped_contact_is_a_team_mailbox():
    publication = load_labels(CONFIG_DIR).publication
    assert publication["contact"]
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", publication["contact_email"])


def test_run_metadata_shows_the_configured_contact(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "labels.yaml").write_text(
        "publication:\n  publisher: Test programme\n  contact: Test team\n"
        "  contact_email: team@test.example\n",
        encoding="utf-8",
    )
    meta = run_meta(tmp_path, config_dir=config)
    assert dict(meta.lines())["Contact"] == "Test team (team@test.example)"
    assert dict(meta.lines())["Published by"] == "Test programme"
