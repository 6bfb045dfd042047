"""Writers for the OOH outputs: scenario comparison (CSV, XLSX), rosters and iCalendar files.

Layout under the run's ``OUTPUT_DIR/ooh/`` (published as ``outputs/latest/ooh/``)::

    scenario_comparison.csv / .xlsx   one row per service x scenario
    person_load.csv, compliance.csv, breaches.csv, costs.csv, oncall_work.csv, uncovered.csv
    site_cover.csv                    how each served site is covered (slot, transfer, none)
    excluded_staff.csv                competent staff beyond the response time of every slot
    verdicts.csv / verdict_grid.csv   verdict per scenario, service and trust (long / grid)
    cross_rota_clashes.csv            shifts one person holds on two services' rotas at once
    slot_workload.csv                 the workload each slot faces (ooh.workload)
    rosters/<service>__<scenario>.csv one row per shift held
    ics/<service>__<scenario>/<staff_id>.ics   one calendar per person

Calendars carry pseudonymised staff ids only and UTC times (so no time-zone block is needed),
one event per block a person holds (a weekend with any bank holiday joined to it is one event),
and the site's name from the ``sites`` dataset as the location;
their ``DTSTAMP`` is the analysis "as at" date, never the wall clock, so the same inputs give
byte-identical files.

File names come from staff, service and scenario ids, which come from data and configuration:
each must be a plain identifier and the path must stay inside the output folder
(:func:`lsc_workforce.safe_output.path_inside`), so a staff id such as ``../x`` is refused even
when the writers run outside a validated refresh. CSV text that a spreadsheet would run as a
formula gets a leading apostrophe, and the workbook stores text as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from lsc_workforce.excel import write_analyst_workbook
from lsc_workforce.ooh.analysis import OohAnalysis, ScenarioResult
from lsc_workforce.safe_output import (
    check_identifier,
    naming_path,
    path_inside,
    write_csv,
)

__all__ = [
    "held_blocks",
    "ics_calendar",
    "write_comparison",
    "write_ics",
    "write_outputs",
    "write_rosters",
    "write_workload",
]

_ICS_TIME = "%Y%m%dT%H%M%SZ"
#: Location of a shift without a site (a remote-reporting rota).
REMOTE_LOCATION = "Remote (no fixed site)"


def write_comparison(analysis: OohAnalysis, out_dir: Path) -> list[Path]:
    """Write ``scenario_comparison.csv`` and ``.xlsx`` (same columns, same rows)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = analysis.comparison()
    csv_path = out_dir / "scenario_comparison.csv"
    xlsx_path = out_dir / "scenario_comparison.xlsx"
    write_csv(table, csv_path)
    write_analyst_workbook(
        xlsx_path, "Out-of-hours scenario comparison", {"scenario_comparison": table}
    )
    return [csv_path, xlsx_path]


def write_rosters(results: Iterable[ScenarioResult], out_dir: Path) -> list[Path]:
    """Write ``rosters/<service>__<scenario>.csv`` for each result.

    Raises:
        OutputPathError: if a service or scenario id is not a plain identifier.
    """
    folder = out_dir / "rosters"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for result in results:
        path = path_inside(folder, f"{result.key}.csv", what="service__scenario id")
        write_csv(result.roster().sort("date", "rota", "shift", "staff_id"), path)
        written.append(path)
    return written


def write_workload(analysis: OohAnalysis, out_dir: Path) -> list[Path]:
    """Write ``slot_workload.csv``: the workload each slot faces (``ooh.workload``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "slot_workload.csv"
    write_csv(analysis.workload(), path)
    return [path]


def _escape(text: str) -> str:
    # RFC 5545 text escapes; a CR would end the content line, so it becomes an escaped newline.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str, limit: int = 75) -> str:
    """An RFC 5545 content line with its CRLF, folded at ``limit`` octets.

    Never inside a UTF-8 character; each continuation line starts with a space.
    """
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts) + "\r\n"


def _site_text(sites: Iterable[str | None], site_names: Mapping[str, str]) -> str:
    names = dict.fromkeys(site_names.get(s, s) if s else REMOTE_LOCATION for s in sites)
    return "; ".join(names)


def held_blocks(result: ScenarioResult, shifts: pl.DataFrame) -> list[list[dict]]:
    """One person's shifts grouped into the blocks they hold, each one calendar event.

    Shifts of one rota join a block when they lie in the same C-O7 block of days (a weekend
    held by one person, with any bank holiday joined to it: Saturday to Sunday, Friday to
    Monday, Good Friday to Easter Monday) or when one starts as the previous one ends (a
    weekend that runs straight on into a held weekday night). Every other shift, such as each
    resident night between two days off, is a block of its own.

    Args:
        result: the scenario (rotas, their blocks and shift times).
        shifts: that person's roster rows (``date, shift, pattern, site, rota``).

    Returns:
        The blocks in time order; each a list of rows with ``begin`` and ``end`` (UTC).
    """
    by_rota = {s.instance.rota: s.instance for s in result.solutions}
    rows = []
    for row in shifts.iter_rows(named=True):
        instance = by_rota[row["rota"]]
        day = instance.problem.day_index[row["date"]]
        begin, end = instance.problem.shift_interval(day, row["shift"])
        block = next((k for k, days in enumerate(instance.blocks) if day in days), None)
        rows.append({**row, "begin": begin, "end": end, "block": block})
    blocks: list[list[dict]] = []
    for row in sorted(rows, key=lambda r: (r["begin"], r["rota"], r["shift"])):
        last = blocks[-1][-1] if blocks else None
        joined = last is not None and last["rota"] == row["rota"]
        if joined and not (
            row["begin"] <= last["end"]
            or (row["block"] is not None and row["block"] == last["block"])
        ):
            joined = False
        if joined:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    return blocks


def _local(moment: dt.datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%a %d %b %H:%M}"


def ics_calendar(
    result: ScenarioResult,
    staff_id: str,
    stamp: dt.date,
    shifts: pl.DataFrame,
    site_names: Mapping[str, str] | None = None,
) -> str:
    """One person's iCalendar (RFC 5545) text for their shifts in one scenario.

    Each block the person holds (:func:`held_blocks`: a weekend, with any bank holiday joined
    to it, or shifts that run straight on) is one event from its first shift's start to its
    last shift's end; the description lists the shifts in it, in local time.

    Args:
        result: the scenario (service and shift times).
        staff_id: pseudonymised id.
        stamp: ``DTSTAMP`` date (the "as at" date, not the wall clock).
        shifts: that person's roster rows (``date, shift, pattern, site, rota``).
        site_names: ``{site code: site name}`` (the ``sites`` dataset) for the location; a
            code without a name is shown as it is.

    Returns:
        The calendar, with CRLF line endings.
    """
    site_names = site_names or {}
    by_rota = {s.instance.rota: s.instance for s in result.solutions}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//lsc-workforce//OOH rota//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(f'{result.service_id} {result.scenario_id} {staff_id}')}",
    ]
    stamp_text = dt.datetime.combine(stamp, dt.time(0), tzinfo=dt.UTC).strftime(_ICS_TIME)
    for block in held_blocks(result, shifts):
        first, rota = block[0], block[0]["rota"]
        instance = by_rota[rota]
        zone = instance.problem.timezone
        patterns = list(dict.fromkeys(r["pattern"] for r in block))
        kind = "on-call" if instance.service.non_resident else "shift"
        what = f"{patterns[0]} {kind}" if len(block) == 1 else f"{kind} block, {len(block)} shifts"
        held = "; ".join(
            f"{_local(r['begin'], zone)} to {_local(r['end'], zone)} ({r['pattern']})"
            for r in block
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{result.key}-{staff_id}-{first['date']:%Y%m%d}-"
            f"{first['shift'].replace('@', '-')}@lsc-workforce",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART:{first['begin'].strftime(_ICS_TIME)}",
            f"DTEND:{max(r['end'] for r in block).strftime(_ICS_TIME)}",
            "SUMMARY:" + _escape(f"{instance.service.name}: {what}"),
            "LOCATION:" + _escape(_site_text((r["site"] for r in block), site_names)),
            "DESCRIPTION:"
            + _escape(f"Rota {rota}, scenario {result.scenario_id}. Shifts held: {held}."),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) for line in lines)


def write_ics(
    result: ScenarioResult,
    out_dir: Path,
    stamp: dt.date,
    site_names: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write ``ics/<service>__<scenario>/<staff_id>.ics`` for every person with a shift.

    ``site_names`` (``{site code: site name}``) gives each event's location.

    Raises:
        OutputPathError: if a staff, service or scenario id is not a plain identifier (nothing
            is written for the result then).
    """
    folder = path_inside(out_dir, "ics", what="folder")
    folder = path_inside(folder, result.key, what="service__scenario id")
    roster = result.roster()
    paths = {
        staff_id: path_inside(folder, f"{check_identifier(staff_id, 'staff id')}.ics")
        for staff_id in roster.get_column("staff_id").unique(maintain_order=True)
    }
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for (staff_id,), shifts in roster.group_by("staff_id", maintain_order=True):
        path = paths[staff_id]
        text = ics_calendar(result, str(staff_id), stamp, shifts, site_names)
        with naming_path(path):
            path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written


def write_outputs(
    analysis: OohAnalysis, out_dir: Path, site_names: Mapping[str, str] | None = None
) -> list[Path]:
    """Write every OOH output under ``out_dir`` (normally ``OUTPUT_DIR/ooh``).

    ``site_names`` (``{site code: site name}``, the ``sites`` dataset) gives the calendars'
    locations.

    Returns:
        The files written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = write_comparison(analysis, out_dir)
    tables = {
        "person_load": analysis.load(),
        "compliance": analysis.compliance(),
        "breaches": analysis.breaches(),
        "costs": analysis.costs(),
        "oncall_work": analysis.work(),
        "uncovered": analysis.gaps(),
        "site_cover": analysis.site_cover(),
        "excluded_staff": analysis.excluded_staff(),
        "verdicts": analysis.verdicts(),
        "verdict_grid": analysis.verdict_grid(),
        "cross_rota_clashes": analysis.clashes(),
    }
    for name, frame in tables.items():
        path = out_dir / f"{name}.csv"
        write_csv(frame, path)
        written.append(path)
    written += write_rosters(analysis.results, out_dir)
    for result in analysis.results:
        written += write_ics(result, out_dir, analysis.start, site_names)
    written += write_workload(analysis, out_dir)
    return written
