"""Instants and the two date grammars the reference accepts."""

import datetime as dt

import pytest

from jobtask_engine.timeutil import ms_to_iso, parse_iso8601, parse_timediff, to_ms

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2022-01-01", dt.datetime(2022, 1, 1)),
        ("2022-01", dt.datetime(2022, 1, 1)),
        ("2022", dt.datetime(2022, 1, 1)),
        ("20220101T000000Z", dt.datetime(2022, 1, 1, tzinfo=UTC)),
        ("2022-W01-1", dt.datetime(2022, 1, 3)),
        ("2022-01-01T00", dt.datetime(2022, 1, 1)),
        ("2022-01-01 10:20:30", dt.datetime(2022, 1, 1, 10, 20, 30)),
        ("2022-01-01T10:20:30.5Z", dt.datetime(2022, 1, 1, 10, 20, 30, 500000, tzinfo=UTC)),
        ("2022-01-01T10:20:30,1234567+09:00", dt.datetime(2022, 1, 1, 10, 20, 30, 123456, tzinfo=dt.timezone(dt.timedelta(hours=9)))),
        ("2022-01-01T24:00:00", dt.datetime(2022, 1, 2)),
    ],
)
def test_iso8601_forms(text, expected):
    assert parse_iso8601(text) == expected


@pytest.mark.parametrize("text", ["2022-1-1", "Jan 1 2022", "", " 2022-01-01", "2022-01-01T25:00", "2022-13-01"])
def test_iso8601_refusals(text):
    with pytest.raises(ValueError):
        parse_iso8601(text)


NOW = dt.datetime(2026, 11, 26, 15, 30)  # a Thursday


@pytest.mark.parametrize(
    "text, expected",
    [
        ("now", NOW),
        (" now ", NOW),
        ("now/d", dt.datetime(2026, 11, 26)),
        ("now/w", dt.datetime(2026, 11, 23)),
        ("now/m", dt.datetime(2026, 11, 1)),
        ("now-1d", NOW - dt.timedelta(days=1)),
        ("now - 2h", NOW - dt.timedelta(hours=2)),
        ("now/d+30m", dt.datetime(2026, 11, 26, 0, 30)),
        ("now|1w", NOW - dt.timedelta(weeks=1)),  # the reference's [+|-] admits '|', which subtracts
    ],
)
def test_timediff(text, expected):
    assert parse_timediff(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["now-1y", "NOW", "now/y", "now-1", "now-1|", "now-1.5d", "", None, 1])
def test_timediff_refusals(text):
    with pytest.raises(ValueError):
        parse_timediff(text, now=NOW)


def test_ms_round_trip_truncates_to_milliseconds():
    value = dt.datetime(2022, 1, 1, 11, 0, 2, 588999, tzinfo=UTC)
    assert ms_to_iso(to_ms(value)) == "2022-01-01T11:00:02.588Z"
    assert to_ms(dt.datetime(2022, 1, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=9)))) == to_ms(dt.datetime(2022, 1, 1))
