"""GoTime and GoDuration: Go's String() output, layouts, and the methods templates call."""

from __future__ import annotations

import pytest

from tocsin.gotemplate import GoDuration, GoTime, Struct, Template, TemplateError
from tocsin.gotemplate.gotime import go_time_of

# 2009-11-10 23:04:05.123456789 UTC, a Tuesday, day 314 of the year.
T = GoTime(go_time_of(2009, 11, 10, 23, 4, 5).ns + 123_456_789)


@pytest.mark.parametrize(
    ("ns", "want"),
    [
        (0, "1970-01-01 00:00:00 +0000 UTC"),
        (1_500_000_000, "1970-01-01 00:00:01.5 +0000 UTC"),
        (31_536_010_000_000_000, "1971-01-01 00:00:10 +0000 UTC"),
    ],
    ids=["epoch", "fraction", "kapacitor-example"],
)
def test_time_string(ns: int, want: str) -> None:
    assert str(GoTime(ns)) == want


LAYOUTS = [
    ("rfc3339", "2006-01-02T15:04:05Z07:00", "2009-11-10T23:04:05Z"),
    ("rfc3339nano", "2006-01-02T15:04:05.999999999Z07:00", "2009-11-10T23:04:05.123456789Z"),
    ("stamp-milli", "Jan _2 15:04:05.000", "Nov 10 23:04:05.123"),
    ("unix-date", "Mon Jan _2 15:04:05 MST 2006", "Tue Nov 10 23:04:05 UTC 2009"),
    ("rfc822z", "02 Jan 06 15:04 -0700", "10 Nov 09 23:04 +0000"),
    ("rfc850", "Monday, 02-Jan-06 15:04:05 MST", "Tuesday, 10-Nov-09 23:04:05 UTC"),
    ("rfc1123z", "Mon, 02 Jan 2006 15:04:05 -0700", "Tue, 10 Nov 2009 23:04:05 +0000"),
    ("kitchen", "3:04PM", "11:04PM"),
    ("micro", "2006-01-02 15:04:05.000000", "2009-11-10 23:04:05.123456"),
    ("long-month-pm", "January 2, 2006 at 3pm", "November 10, 2009 at 11pm"),
    ("year-day", "002 __2", "314 314"),
    ("numeric-month-colon-tz", "1/2 -07:00 Z07", "11/10 +00:00 Z"),
    ("literal-text", "Date: 2006", "Date: 2009"),
]


@pytest.mark.parametrize(("layout", "want"), [r[1:] for r in LAYOUTS], ids=[r[0] for r in LAYOUTS])
def test_format_layout(layout: str, want: str) -> None:
    assert T.Format(layout) == want


def test_trimmed_fraction_disappears_when_zero() -> None:
    assert go_time_of(2009, 11, 10, 23).Format("15:04:05.999") == "23:00:00"


DURATIONS = [
    (0, "0s"),
    (1, "1ns"),
    (1_500, "1.5µs"),
    (1_500_000, "1.5ms"),
    (90_000_000_000, "1m30s"),
    (-7_200_000_000_000, "-2h0m0s"),
    (3_723_004_000_000, "1h2m3.004s"),
]


@pytest.mark.parametrize(("ns", "want"), DURATIONS, ids=[d[1] for d in DURATIONS])
def test_duration_string(ns: int, want: str) -> None:
    assert str(GoDuration(ns)) == want


def test_duration_float_methods() -> None:
    d = GoDuration(5_400_000_000_000)
    assert (d.Seconds(), d.Minutes(), d.Hours(), GoDuration(-1_500_000).Milliseconds()) == (5400.0, 90.0, 1.5, -1)


DATA = Struct("main.D", Time=T, Start=GoTime(0), D=GoDuration(90_000_000_000))

TEMPLATE_ROWS = [
    ("unix", "{{.Time.Unix}} {{.Start.UnixNano}}", "1257894245 0"),
    ("calendar", "{{.Time.Year}} {{.Time.Month}} {{.Time.Day}} {{.Time.Weekday}}", "2009 November 10 Tuesday"),
    ("month-as-number", '{{printf "%d/%02d" .Time.Month .Time.Day}}', "11/10"),
    ("clock", "{{.Time.Hour}}:{{.Time.Minute}}:{{.Time.Second}}.{{.Time.Nanosecond}}", "23:4:5.123456789"),
    ("format", '{{.Time.UTC.Format "2006-01-02"}}', "2009-11-10"),
    ("add", "{{.Start.Add .D}}", "1970-01-01 00:01:30 +0000 UTC"),
    ("sub", '{{(.Time.Sub .Start).Hours | printf "%.0f"}}', "349415"),
    ("before", "{{.Start.Before .Time}} {{.Time.Equal .Time}}", "true true"),
    ("duration-methods", "{{.D.Seconds}} {{.D.Minutes}} {{.D.String}} {{.D.Nanoseconds}}", "90 1.5 1m30s 90000000000"),
    ("duration-compares-as-int", "{{lt .D 60000000000}} {{eq .D 90000000000}}", "false true"),
    ("duration-printf-d", '{{printf "%d" .D}}', "90000000000"),
    ("truncate", "{{.Time.Truncate 3600000000000}}", "2009-11-10 23:00:00 +0000 UTC"),
    ("time-is-struct-truthy", "{{if .Start}}yes{{end}} {{.Start.IsZero}}", "yes false"),
]


@pytest.mark.parametrize(("text", "want"), [r[1:] for r in TEMPLATE_ROWS], ids=[r[0] for r in TEMPLATE_ROWS])
def test_time_in_templates(text: str, want: str) -> None:
    assert Template.parse("t", text).execute(DATA) == want


def test_missing_time_method_is_an_error() -> None:
    with pytest.raises(TemplateError) as info:
        Template.parse("t", "{{.Time.Nope}}").execute(DATA)
    assert str(info.value) == (
        'template: t:1:7: executing "t" at <.Time.Nope>: can\'t evaluate field Nope in type time.Time'
    )
