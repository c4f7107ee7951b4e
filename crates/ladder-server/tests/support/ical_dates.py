"""Reads an iCalendar feed on stdin with the `icalendar` package and prints,
as JSON, each event's UID, SUMMARY and start, and for events with an RRULE
the local dates it expands to (dateutil, which icalendar depends on)."""

import json
import sys

import icalendar
from dateutil.rrule import rrulestr

cal = icalendar.Calendar.from_ical(sys.stdin.read())
out = []
for ev in cal.walk("VEVENT"):
    start = ev.decoded("DTSTART")
    item = {
        "uid": str(ev.get("UID")),
        "summary": str(ev.get("SUMMARY")),
        "start": start.isoformat(),
        "dates": [],
    }
    if ev.get("RRULE") is not None:
        rule = ev.get("RRULE").to_ical().decode()
        item["dates"] = [d.date().isoformat() for d in rrulestr(rule, dtstart=start)]
        item["times"] = sorted({d.strftime("%H:%M") for d in rrulestr(rule, dtstart=start)})
    out.append(item)
tzids = [str(tz.get("TZID")) for tz in cal.walk("VTIMEZONE")]
print(json.dumps({"events": out, "timezones": tzids}))
