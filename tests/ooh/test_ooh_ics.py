"""Calendar files: one event per block a person holds, the site's name as the location.

Hand-checked on hand-made rosters (no solver): June 2026 is British Summer Time (UTC+1), so
08:00 local is 07:00Z and 17:00 local is 16:00Z. Easter 2026: Good Friday 3 April and Easter
Monday 6 April are England bank holidays, joined to Saturday 4 and Sunday 5 as one weekend.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import polars as pl
import pytest
from ooh_world import TRUST_BY_TRUST, oncall_service, preset, world

from lsc_workforce.ooh.build import build_scenario
from lsc_workforce.ooh.inputs import ShiftPattern
from lsc_workforce.ooh.outputs import held_blocks, ics_calendar

pytestmark = pytest.mark.unit

JUNE = dt.date(2026, 6, 1)  # a Monday
EASTER_START = dt.date(2026, 3, 30)  # Monday before Easter
WEEKNIGHT = ShiftPattern("weeknight", dt.time(17), 15.0, "weekday", night=True)
WEEKEND = ShiftPattern("weekend", dt.time(8), 24.0, "weekend", night=True)
SITE_NAMES = {"A01": "Alpha General"}


def _result(block: str, start: dt.date, n_days: int = 14, category: str = "A"):
    service = oncall_service(
        sites=("A01",), shifts=(WEEKNIGHT, WEEKEND), weekend_block=block, category=category
    )
    frames = world([("a", "TAA", "A01", 1.0), ("b", "TAA", "A01", 1.0)])
    instance = build_scenario(
        service, TRUST_BY_TRUST, preset(oncall_one_in=2), frames, start=start, n_days=n_days
    )[0]
    return SimpleNamespace(
        service_id=service.id,
        scenario_id="trust_by_trust",
        key=f"{service.id}__trust_by_trust",
        solutions=(SimpleNamespace(instance=instance),),
    ), instance


def _shifts(instance, days: list[dt.date]) -> pl.DataFrame:
    """Person ``a``'s roster: the shift each date runs (weekend shift on weekend dates)."""
    offered = {d: sid for sid, dates in instance.offered.items() for d in dates}
    return pl.DataFrame(
        {
            "staff_id": ["a"] * len(days),
            "date": days,
            "shift": [offered[d] for d in days],
            "pattern": [instance.slots[offered[d]].pattern.id for d in days],
            "site": ["A01"] * len(days),
            "rota": [instance.rota] * len(days),
        }
    )


def _events(text: str) -> list[dict[str, str]]:
    unfolded = text.replace("\r\n ", "")
    events, current = [], None
    for line in unfolded.split("\r\n"):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None and ":" in line:
            key, value = line.split(":", 1)
            current[key] = value
    return events


def test_a_saturday_sunday_weekend_is_one_event_at_the_named_site():
    result, instance = _result("sat_sun", JUNE)
    days = [dt.date(2026, 6, 6), dt.date(2026, 6, 7), dt.date(2026, 6, 9)]  # Sat, Sun, Tue
    text = ics_calendar(result, "a", JUNE, _shifts(instance, days), SITE_NAMES)
    events = _events(text)
    assert len(events) == 2
    weekend, tuesday = events
    assert weekend["DTSTART"] == "20260606T070000Z"  # Saturday 08:00 BST
    assert weekend["DTEND"] == "20260608T070000Z"  # Monday 08:00 BST
    assert "2 shifts" in weekend["SUMMARY"]
    assert weekend["LOCATION"] == "Alpha General"
    assert tuesday["DTSTART"] == "20260609T160000Z"  # Tuesday 17:00 BST
    assert tuesday["DTEND"] == "20260610T070000Z"  # Wednesday 08:00 BST
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_weeknights_in_a_row_stay_separate_events():
    """Monday and Tuesday nights are two on-calls with a working day between them."""
    result, instance = _result("sat_sun", JUNE)
    days = [dt.date(2026, 6, 1), dt.date(2026, 6, 2)]
    assert [len(b) for b in held_blocks(result, _shifts(instance, days))] == [1, 1]


def test_a_weekend_held_on_from_friday_night_is_one_event():
    """Friday 17:00 to Saturday 08:00 runs straight into the weekend: one event."""
    result, instance = _result("sat_sun", JUNE)
    days = [dt.date(2026, 6, 5), dt.date(2026, 6, 6), dt.date(2026, 6, 7)]
    (event,) = _events(ics_calendar(result, "a", JUNE, _shifts(instance, days), SITE_NAMES))
    assert (event["DTSTART"], event["DTEND"]) == ("20260605T160000Z", "20260608T070000Z")


def test_the_easter_weekend_with_both_bank_holidays_is_one_event():
    result, instance = _result("sat_sun", EASTER_START)
    days = [EASTER_START + dt.timedelta(days=k) for k in range(4, 8)]  # Good Fri to Easter Mon
    (event,) = _events(ics_calendar(result, "a", JUNE, _shifts(instance, days), SITE_NAMES))
    assert event["DTSTART"] == "20260403T070000Z"  # Good Friday 08:00 BST
    assert event["DTEND"] == "20260407T070000Z"  # Tuesday 08:00 BST
    assert "4 shifts" in event["SUMMARY"]


def test_a_friday_to_monday_block_is_one_event_listing_its_shifts():
    """GI-bleed style: Friday night, the weekend and Monday night, with Monday's day job
    between; one event from Friday 17:00 to Tuesday 08:00 whose description lists the four."""
    result, instance = _result("fri_mon", JUNE)
    days = [dt.date(2026, 6, 5) + dt.timedelta(days=k) for k in range(4)]
    (event,) = _events(ics_calendar(result, "a", JUNE, _shifts(instance, days), SITE_NAMES))
    assert (event["DTSTART"], event["DTEND"]) == ("20260605T160000Z", "20260609T070000Z")
    assert event["DESCRIPTION"].count("(weeknight)") == 2
    assert event["DESCRIPTION"].count("(weekend)") == 2
    assert "Mon 08 Jun 17:00 to Tue 09 Jun 08:00" in event["DESCRIPTION"]


def test_a_site_without_a_name_shows_its_code():
    result, instance = _result("sat_sun", JUNE)
    text = ics_calendar(result, "a", JUNE, _shifts(instance, [dt.date(2026, 6, 1)]))
    assert _events(text)[0]["LOCATION"] == "A01"


def test_a_resident_shift_is_not_called_on_call():
    result, instance = _result("none", JUNE, category="resident")
    text = ics_calendar(result, "a", JUNE, _shifts(instance, [dt.date(2026, 6, 1)]))
    assert _events(text)[0]["SUMMARY"] == "Test on-call: weeknight shift"
