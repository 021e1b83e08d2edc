"""Reports whose agency their page and source leave open (城关镇 with no county, a 鼓楼区),
placed by the other reports of their host.

Where every report the host serves that was placed lies in one division, that division
decides as the page's site name would. A host serving several counties (a city's or a
province's platform) places no township; region codes nest by prefix, so the division is the
longest common prefix of the host's codes, which is that of the lowest and the highest.
"""

from __future__ import annotations

import os

from nianbao.parsers import divisions
from nianbao.output.records import set_register
from nianbao.output.row_table import RowTable
from nianbao.scraper.urls import host_of


def _place(lowest: str, highest: str) -> str | None:
    """The government whose division holds every region code from ``lowest`` to ``highest``."""
    common = os.path.commonprefix([lowest, highest])
    d = divisions.by_code(common[:len(common) // 2 * 2])
    return None if d is None else "".join(x.name for x in d.chain()) + "人民政府"


def place_by_host(table: RowTable) -> None:
    """Place the table's open rows by their hosts; held in memory: a place per host, and a
    page of rows at a time."""
    spans = table.db.execute(
        f"SELECT host, min(region_code), max(region_code) FROM {table.name} "
        "WHERE region_code IS NOT NULL AND region_code != '' GROUP BY host")
    places = {host: place for host, lo, hi in spans if (place := _place(lo, hi))}
    if not places:
        return
    for part in table.pages("seq", "agency_id IS NULL AND agency IS NOT NULL AND agency != ''"):
        changed = []
        for seq, row in part:
            place = places.get(host_of(row.source_url))
            if place is not None:
                clues, source_agency = row.agency_context
                set_register(row, [*clues, ("host", place)], source_agency)
                changed.append((seq, row))
        table.replace(changed)
