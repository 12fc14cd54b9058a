"""AQL date functions, from ArangoDB 3.12's documented semantics and its own test suite."""

from __future__ import annotations

import math

import pytest

from arangoml_meta.embedded.functions import REGISTRY, NullContext, lookup
from arangoml_meta.embedded.functions import dates as module
from arangoml_meta.embedded.functions.calendar import (
    parse_date,
    shift_timestamp_by_duration,
    to_timestamp_ms,
)
from arangoml_meta.errors import QueryError

from .conftest import call_function, call_with_warnings

TYPE_MISMATCH = 1542
INVALID_DATE = 1557

EXPECTED_FUNCTIONS = {
    "DATE_NOW",
    "DATE_ISO8601",
    "DATE_TIMESTAMP",
    "IS_DATESTRING",
    "DATE_DAYOFWEEK",
    "DATE_YEAR",
    "DATE_MONTH",
    "DATE_DAY",
    "DATE_HOUR",
    "DATE_MINUTE",
    "DATE_SECOND",
    "DATE_MILLISECOND",
    "DATE_DAYOFYEAR",
    "DATE_ISOWEEK",
    "DATE_ISOWEEKYEAR",
    "DATE_LEAPYEAR",
    "DATE_QUARTER",
    "DATE_DAYS_IN_MONTH",
    "DATE_TRUNC",
    "DATE_ROUND",
    "DATE_FORMAT",
    "DATE_ADD",
    "DATE_SUBTRACT",
    "DATE_DIFF",
    "DATE_COMPARE",
    "DATE_UTCTOLOCAL",
    "DATE_LOCALTOUTC",
    "DATE_TIMEZONE",
    "DATE_TIMEZONES",
}


def warning_codes(name: str, *args: object) -> list[int]:
    return [code for code, _ in call_with_warnings(name, *args)[1]]


# --------------------------------------------------------------------------- registration


def test_module_registers_every_date_function() -> None:
    registered = {n for n, spec in REGISTRY.items() if spec.impl.__module__ == module.__name__}
    assert registered == EXPECTED_FUNCTIONS


@pytest.mark.parametrize(
    ("name", "min_args", "max_args"),
    [
        ("DATE_ISO8601", 1, 7),
        ("DATE_TIMESTAMP", 1, 7),
        ("DATE_YEAR", 1, 2),
        ("DATE_SECOND", 1, 1),
        ("DATE_MILLISECOND", 1, 1),
        ("DATE_ADD", 2, 4),
        ("DATE_DIFF", 3, 6),
        ("DATE_COMPARE", 3, 6),
        ("DATE_ROUND", 3, 4),
        ("DATE_LOCALTOUTC", 2, 3),
        ("DATE_TIMEZONES", 0, 0),
    ],
)
def test_arity_matches_arangodb(name: str, min_args: int, max_args: int) -> None:
    spec = lookup(name)
    assert spec is not None
    assert (spec.min_args, spec.max_args) == (min_args, max_args)


def test_date_now_is_not_deterministic() -> None:
    spec = lookup("DATE_NOW")
    assert spec is not None and spec.deterministic is False


def test_date_now_reads_the_context_clock() -> None:
    class FixedClock(NullContext):
        def now_ms(self) -> int:
            return 1_700_000_000_123

    spec = lookup("DATE_NOW")
    assert spec is not None
    assert spec.impl(FixedClock()) == 1_700_000_000_123


# --------------------------------------------------------------------------- input forms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014-05-07T14:19:09.522", "2014-05-07T14:19:09.522Z"),
        ("2014-05-07 14:19:09.522Z", "2014-05-07T14:19:09.522Z"),
        ("2014-05-07", "2014-05-07T00:00:00.000Z"),
        ("2014-05-07Z", "2014-05-07T00:00:00.000Z"),
        ("2014-5-7", "2014-05-07T00:00:00.000Z"),
        ("2014", "2014-01-01T00:00:00.000Z"),
        ("2014-05", "2014-05-01T00:00:00.000Z"),
        ("2014-05-07 16:30", "2014-05-07T16:30:00.000Z"),
        ("  2014-05-07z  ", "2014-05-07T00:00:00.000Z"),
        ("+002014-05-07", "2014-05-07T00:00:00.000Z"),
    ],
)
def test_iso8601_accepts_arangodb_date_strings(text: str, expected: str) -> None:
    assert call_function("DATE_ISO8601", text) == expected


def test_positive_offset_is_subtracted() -> None:
    assert call_function("DATE_ISO8601", "2014-05-07T14:19:09+07:30") == "2014-05-07T06:49:09.000Z"


def test_negative_whole_hour_offset_is_added() -> None:
    assert call_function("DATE_ISO8601", "2014-05-07T14:19:09-02:00") == "2014-05-07T16:19:09.000Z"


def test_negative_offset_minutes_keep_their_sign_as_in_arangodb() -> None:
    # ArangoDB applies the sign to the hours only: -03:30 is read as -02:30
    assert call_function("DATE_ISO8601", "2014-05-07T12:00:00-03:30") == "2014-05-07T14:30:00.000Z"


def test_clock_hours_may_have_one_digit() -> None:
    assert call_function("DATE_HOUR", "2014-05-07 9:05") == 9


def test_offset_hours_may_have_one_digit() -> None:
    assert call_function("DATE_ISO8601", "2014-05-07T12:00:00+1:00") == "2014-05-07T11:00:00.000Z"


@pytest.mark.parametrize(
    ("text", "millisecond"),
    [
        ("2014-05-07T14:19:09.5", 500),
        ("2014-05-07T14:19:09.05", 50),
        ("2014-05-07T14:19:09.98765", 987),
    ],
)
def test_fraction_digits_scale_to_milliseconds(text: str, millisecond: int) -> None:
    assert call_function("DATE_MILLISECOND", text) == millisecond


def test_day_31_overflows_into_next_month() -> None:
    assert call_function("DATE_ISO8601", "2015-02-31") == "2015-03-03T00:00:00.000Z"


def test_numeric_timestamp_is_milliseconds_since_epoch() -> None:
    assert call_function("DATE_ISO8601", 1399472349522) == "2014-05-07T14:19:09.522Z"


def test_negative_timestamp_is_before_1970() -> None:
    assert call_function("DATE_ISO8601", -86_400_001) == "1969-12-30T23:59:59.999Z"


def test_fractional_timestamp_truncates_towards_zero() -> None:
    assert call_function("DATE_TIMESTAMP", -1.9) == -1


@pytest.mark.parametrize(
    "value", [-62167219200000, 253402300799999, "0000-01-01", "9999-12-31T23:59:59.999Z"]
)
def test_range_bounds_are_valid(value: object) -> None:
    assert call_with_warnings("DATE_YEAR", value)[1] == []


@pytest.mark.parametrize(
    "value",
    [
        -62167219200001,
        253402300800000,
        "10000-01-01",
        "-0001-01-01",
        "0000-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_dates_outside_year_0_to_9999_warn(value: object) -> None:
    assert call_with_warnings("DATE_YEAR", value) == (None, [(INVALID_DATE, "invalid date value")])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "foo",
        "2012-01-01foo",
        "2001-00-11",
        "2001-13-01",
        "2001-01-32",
        "2001-02-11 24:00:00",
        "2001-02-11 23:60:00",
        "2001-02-11 23:01:60",
        "2001-02-11 23:01:38.",
        "2001-02-11T10",
        "2001-02-11T10:00+01",
    ],
)
def test_malformed_strings_warn_invalid_date(text: str) -> None:
    assert warning_codes("DATE_TIMESTAMP", text) == [INVALID_DATE]


@pytest.mark.parametrize("value", [None, True, [], {}, ["2015-01-23"]])
def test_non_date_types_warn_type_mismatch(value: object) -> None:
    assert call_with_warnings("DATE_DAY", value) == (
        None,
        [(TYPE_MISMATCH, "invalid argument type in call to function 'DATE_DAY()'")],
    )


def test_nan_and_huge_numbers_are_invalid_dates() -> None:
    assert warning_codes("DATE_YEAR", math.nan) == [INVALID_DATE]
    assert warning_codes("DATE_YEAR", 1e300) == [INVALID_DATE]


# --------------------------------------------------------------------------- conversion


def test_timestamp_from_components() -> None:
    assert call_function("DATE_TIMESTAMP", 2014, 5, 7, 14, 19, 9, 522) == 1399472349522


def test_components_may_be_numeric_strings() -> None:
    assert call_function("DATE_ISO8601", "2014", "05", "07", "12") == "2014-05-07T12:00:00.000Z"


def test_component_overflow_carries_into_larger_units() -> None:
    assert call_function("DATE_TIMESTAMP", 2016, 2, 32) == 1456963200000
    assert call_function("DATE_TIMESTAMP", 1970, 1, 1, 26) == 93600000


def test_milliseconds_component_is_capped_at_999() -> None:
    assert call_function("DATE_ISO8601", 2000, 1, 1, 0, 0, 0, 5000) == "2000-01-01T00:00:00.999Z"


def test_negative_component_warns() -> None:
    assert warning_codes("DATE_TIMESTAMP", 2016, 12, -1) == [INVALID_DATE]


def test_year_component_outside_0_to_9999_warns() -> None:
    assert warning_codes("DATE_ISO8601", 10000, 1, 1) == [INVALID_DATE]


def test_two_components_are_not_enough() -> None:
    assert warning_codes("DATE_TIMESTAMP", 2016, 1) == [TYPE_MISMATCH]


def test_iso8601_of_components_past_9999_warns_but_timestamp_does_not() -> None:
    assert warning_codes("DATE_ISO8601", 9999, 12, 31, 48) == [INVALID_DATE]
    assert call_function("DATE_TIMESTAMP", 9999, 12, 31, 48) == 253402387200000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-10", True),
        ("2015-02-31", True),
        ("2012-02-12 23:59:59.991-08:30", True),
        ("2015-02-31T25:00:00", False),
        ("9999-12-31T23:59:59.999-01:00", False),
        (1399395674000, False),
        (None, False),
        (["2015-01-23"], False),
    ],
)
def test_is_datestring(value: object, expected: bool) -> None:
    assert call_function("IS_DATESTRING", value) is expected


def test_is_datestring_never_warns() -> None:
    assert call_with_warnings("IS_DATESTRING", {}) == (False, [])


# --------------------------------------------------------------------------- extractors


def test_date_extractors_split_a_timestamp() -> None:
    date = "2021-07-04T05:06:07.089Z"
    parts = [
        call_function(name, date)
        for name in ("DATE_YEAR", "DATE_MONTH", "DATE_DAY", "DATE_HOUR", "DATE_MINUTE")
    ]
    assert parts == [2021, 7, 4, 5, 6]
    assert call_function("DATE_SECOND", date) == 7
    assert call_function("DATE_MILLISECOND", date) == 89


def test_dayofweek_counts_from_sunday() -> None:
    assert call_function("DATE_DAYOFWEEK", "2024-06-02") == 0
    assert call_function("DATE_DAYOFWEEK", "2024-06-08") == 6


def test_extractors_work_on_negative_timestamps() -> None:
    assert call_function("DATE_YEAR", -1) == 1969
    assert call_function("DATE_DAYOFWEEK", -1) == 3
    assert call_function("DATE_MILLISECOND", -1) == 999


def test_dayofyear_in_leap_year_reaches_366() -> None:
    assert call_function("DATE_DAYOFYEAR", "2000-12-31") == 366
    assert call_function("DATE_DAYOFYEAR", "2100-12-31") == 365


@pytest.mark.parametrize(
    ("year", "leap"),
    [("1900-06-01", False), ("2000-06-01", True), ("2024-06-01", True), ("0000-06-01", True)],
)
def test_leap_years_follow_gregorian_rules(year: str, leap: bool) -> None:
    assert call_function("DATE_LEAPYEAR", year) is leap


def test_days_in_february_depends_on_leap_year() -> None:
    assert call_function("DATE_DAYS_IN_MONTH", "2024-02-10") == 29
    assert call_function("DATE_DAYS_IN_MONTH", "2023-02-10") == 28


def test_quarter_groups_three_months() -> None:
    assert [call_function("DATE_QUARTER", f"2022-{m:02d}-15") for m in (3, 4, 9, 10)] == [
        1,
        2,
        3,
        4,
    ]


def test_isoweek_of_early_january_can_belong_to_previous_year() -> None:
    assert call_function("DATE_ISOWEEK", "2016-01-01") == 53
    assert call_function("DATE_ISOWEEKYEAR", "2016-01-01") == {"week": 53, "year": 2015}


def test_isoweekyear_of_late_december_can_be_next_year() -> None:
    assert call_function("DATE_ISOWEEKYEAR", "2024-12-30") == {"week": 1, "year": 2025}


def test_extractor_time_zone_moves_to_local_day() -> None:
    # 23:30 UTC on Dec 31 is already New Year in Berlin (UTC+1)
    assert call_function("DATE_YEAR", "2024-12-31T23:30:00Z", "Europe/Berlin") == 2025
    assert call_function("DATE_DAY", "2024-12-31T23:30:00Z", "Europe/Berlin") == 1


def test_extractor_time_zone_uses_summer_time() -> None:
    assert call_function("DATE_HOUR", "2024-07-01T10:00:00Z", "Europe/Berlin") == 12
    assert call_function("DATE_HOUR", "2024-01-01T10:00:00Z", "Europe/Berlin") == 11


def test_extractor_time_zone_with_quarter_hour_offset() -> None:
    assert call_function("DATE_MINUTE", "2024-01-01T10:00:00Z", "Asia/Kathmandu") == 45


def test_extractor_time_zone_must_be_a_string() -> None:
    assert warning_codes("DATE_MONTH", 0, 1) == [TYPE_MISMATCH]


def test_unknown_time_zone_aborts_the_query() -> None:
    with pytest.raises(QueryError, match="Mars/Olympus not found in timezone database"):
        call_function("DATE_YEAR", 0, "Mars/Olympus")


# --------------------------------------------------------------------------- DATE_TRUNC / DATE_ROUND


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("years", "2019-01-01T00:00:00.000Z"),
        ("M", "2019-08-01T00:00:00.000Z"),
        ("day", "2019-08-17T00:00:00.000Z"),
        ("h", "2019-08-17T13:00:00.000Z"),
        ("minutes", "2019-08-17T13:14:00.000Z"),
        ("s", "2019-08-17T13:14:15.000Z"),
        ("f", "2019-08-17T13:14:15.167Z"),
    ],
)
def test_trunc_units(unit: str, expected: str) -> None:
    assert call_function("DATE_TRUNC", "2019-08-17T13:14:15.167Z", unit) == expected


def test_trunc_unknown_unit_warns_invalid_date() -> None:
    assert warning_codes("DATE_TRUNC", 0, "week") == [INVALID_DATE]


def test_trunc_unit_must_be_string() -> None:
    assert warning_codes("DATE_TRUNC", 0, 1) == [TYPE_MISMATCH]


def test_trunc_in_time_zone_gives_local_midnight_in_utc() -> None:
    assert call_function("DATE_TRUNC", "2024-07-10T12:00:00Z", "day", "Europe/Berlin") == (
        "2024-07-09T22:00:00.000Z"
    )


def test_round_bins_from_the_epoch() -> None:
    assert call_function("DATE_ROUND", "2021-03-04T05:17:59Z", 15, "minutes") == (
        "2021-03-04T05:15:00.000Z"
    )


def test_round_before_epoch_truncates_towards_it() -> None:
    assert (
        call_function("DATE_ROUND", "1969-12-31T18:00:00Z", 1, "day") == "1970-01-01T00:00:00.000Z"
    )


def test_round_unit_is_case_sensitive() -> None:
    assert warning_codes("DATE_ROUND", 0, 1, "Day") == [TYPE_MISMATCH]


@pytest.mark.parametrize("amount", [0, -1, 0.5, "5"])
def test_round_amount_must_be_a_positive_integer_number(amount: object) -> None:
    assert warning_codes("DATE_ROUND", 0, amount, "day") == [TYPE_MISMATCH]


def test_round_in_time_zone_uses_local_buckets() -> None:
    assert call_function("DATE_ROUND", "2024-01-15T23:30:00Z", 1, "day", "Europe/Berlin") == (
        "2024-01-15T23:00:00.000Z"
    )


# --------------------------------------------------------------------------- DATE_FORMAT


def test_format_padded_placeholders() -> None:
    date = "2009-03-04T05:06:07.008Z"
    assert call_function("DATE_FORMAT", date, "%yyyy-%mm-%dd %hh:%ii:%ss.%fff") == (
        "2009-03-04 05:06:07.008"
    )


def test_format_unpadded_placeholders() -> None:
    date = "2009-03-04T05:06:07.008Z"
    assert call_function("DATE_FORMAT", date, "%y/%m/%d %h:%i:%s.%f") == "2009/3/4 5:6:7.8"


def test_format_names_of_month_and_weekday() -> None:
    assert call_function("DATE_FORMAT", "2009-03-04", "%www %wwww %mmm %mmmm") == (
        "Wed Wednesday Mar March"
    )


def test_format_calendar_placeholders() -> None:
    assert call_function("DATE_FORMAT", "2024-02-10", "%w %x %xxx %k %kk %l %q %a") == (
        "6 41 041 6 06 1 1 29"
    )


def test_format_timestamp_and_iso_placeholders() -> None:
    assert call_function("DATE_FORMAT", 1234567890123, "%t|%z") == (
        "1234567890123|2009-02-13T23:31:30.123Z"
    )


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2-06-01", "2 0002 02 +000002"),
        ("9-06-01", "9 009 09 +000009"),  # ArangoDB pads year 9 to three digits
        ("305-06-01", "305 0305 05 +000305"),
        ("7200-06-01", "7200 7200 00 +007200"),
    ],
)
def test_format_year_placeholders(date: str, expected: str) -> None:
    assert call_function("DATE_FORMAT", date, "%y %yyyy %yy %yyyyyy") == expected


def test_format_percent_escapes() -> None:
    assert call_function("DATE_FORMAT", "2012-01-01", "100%% %& x % ") == "100%  x  "


def test_format_escape_separates_placeholder_from_letters() -> None:
    assert call_function("DATE_FORMAT", "2012-07-01", "%m%&month %mmonth") == "7month 07onth"


def test_format_placeholders_are_case_sensitive() -> None:
    assert call_function("DATE_FORMAT", "2012-07-01", "%Y") == "Y"


def test_format_in_time_zone() -> None:
    assert call_function("DATE_FORMAT", "2024-07-01T22:30:00Z", "%dd %hh:%ii", "Europe/Berlin") == (
        "02 00:30"
    )


def test_format_string_must_be_a_string() -> None:
    assert warning_codes("DATE_FORMAT", 0, 1) == [TYPE_MISMATCH]


# --------------------------------------------------------------------------- DATE_ADD / DATE_SUBTRACT


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (2, "years", "2022-03-10T08:00:00.000Z"),
        (1, "m", "2020-04-10T08:00:00.000Z"),
        (2, "w", "2020-03-24T08:00:00.000Z"),
        (3, "d", "2020-03-13T08:00:00.000Z"),
        (5, "h", "2020-03-10T13:00:00.000Z"),
        (90, "i", "2020-03-10T09:30:00.000Z"),
        (30, "seconds", "2020-03-10T08:00:30.000Z"),
        (250, "f", "2020-03-10T08:00:00.250Z"),
    ],
)
def test_add_units(amount: int, unit: str, expected: str) -> None:
    assert call_function("DATE_ADD", "2020-03-10T08:00:00Z", amount, unit) == expected


def test_add_month_to_january_31_overflows_into_march() -> None:
    assert call_function("DATE_ADD", "2023-01-31", 1, "month") == "2023-03-03T00:00:00.000Z"


def test_add_month_to_january_31_in_leap_year() -> None:
    assert call_function("DATE_ADD", "2024-01-31", 1, "month") == "2024-03-02T00:00:00.000Z"


def test_add_year_to_leap_day_overflows_into_march() -> None:
    assert call_function("DATE_ADD", "2024-02-29", 1, "year") == "2025-03-01T00:00:00.000Z"


def test_add_negative_months_crosses_year() -> None:
    assert call_function("DATE_ADD", "2024-02-15", -3, "months") == "2023-11-15T00:00:00.000Z"


def test_add_fractional_days_as_milliseconds() -> None:
    assert call_function("DATE_ADD", "2024-02-15", 0.25, "day") == "2024-02-15T06:00:00.000Z"


def test_add_fractional_years_cascade_into_months() -> None:
    assert call_function("DATE_ADD", "2024-01-15", 1.5, "years") == "2025-07-15T00:00:00.000Z"


def test_add_iso_duration() -> None:
    assert call_function("DATE_ADD", "2020-01-01", "P1Y2M3W4DT5H6M7.8S") == (
        "2021-03-26T05:06:07.800Z"
    )


def test_iso_duration_accepts_comma_decimal() -> None:
    assert call_function("DATE_ADD", "2020-01-01", "PT0,05S") == "2020-01-01T00:00:00.050Z"


@pytest.mark.parametrize("duration", ["P", "-P1D", "P1.5D", "PT1.2345S", "1D", "P1H"])
def test_invalid_iso_duration_warns(duration: str) -> None:
    assert warning_codes("DATE_ADD", 0, duration) == [INVALID_DATE]


def test_add_unknown_unit_warns_invalid_date() -> None:
    assert warning_codes("DATE_ADD", 0, 1, "fortnight") == [INVALID_DATE]


@pytest.mark.parametrize("amount", ["1", None, True, []])
def test_add_amount_must_be_a_number(amount: object) -> None:
    assert warning_codes("DATE_ADD", 0, amount, 1) == [TYPE_MISMATCH]


def test_add_past_year_9999_warns() -> None:
    assert warning_codes("DATE_ADD", "9999-12-31T23:59:59.999Z", 1, "f") == [INVALID_DATE]


def test_add_huge_amount_warns() -> None:
    assert warning_codes("DATE_ADD", 0, 1e300, "years") == [INVALID_DATE]
    assert warning_codes("DATE_ADD", 0, "P999999999999999999999Y") == [INVALID_DATE]


def test_subtract_month_from_march_31_overflows_forward() -> None:
    assert call_function("DATE_SUBTRACT", "2023-03-31", 1, "month") == "2023-03-03T00:00:00.000Z"


def test_subtract_negative_amount_adds() -> None:
    assert call_function("DATE_SUBTRACT", "2023-03-31", -1, "day") == "2023-04-01T00:00:00.000Z"


def test_subtract_iso_duration() -> None:
    assert call_function("DATE_SUBTRACT", "2020-03-01T00:30:00Z", "P1DT1H") == (
        "2020-02-28T23:30:00.000Z"
    )


def test_subtract_below_year_0_warns() -> None:
    assert warning_codes("DATE_SUBTRACT", "0000-01-01", 1, "f") == [INVALID_DATE]


def test_add_day_across_berlin_spring_forward_is_23_hours() -> None:
    assert call_function("DATE_ADD", "2024-03-30T11:00:00Z", 1, "day", "Europe/Berlin") == (
        "2024-03-31T10:00:00.000Z"
    )


def test_add_day_across_berlin_fall_back_is_25_hours() -> None:
    assert call_function("DATE_ADD", "2024-10-26T11:00:00Z", "P1D", "Europe/Berlin") == (
        "2024-10-27T12:00:00.000Z"
    )


def test_add_landing_in_berlin_dst_gap_aborts_like_arangodb() -> None:
    with pytest.raises(QueryError, match="is in a gap"):
        call_function("DATE_ADD", "2024-03-31T00:30:00Z", 1, "hour", "Europe/Berlin")


def test_add_time_zone_must_be_a_string() -> None:
    assert warning_codes("DATE_ADD", 0, "P1D", 1) == [TYPE_MISMATCH]


# --------------------------------------------------------------------------- DATE_DIFF


def test_diff_is_date2_minus_date1() -> None:
    assert call_function("DATE_DIFF", "2024-03-10", "2024-03-01", "days") == -9


def test_diff_rounds_half_away_from_zero() -> None:
    assert call_function("DATE_DIFF", "2024-03-01", "2024-03-03T12:00:00Z", "days") == 3
    assert call_function("DATE_DIFF", "2024-03-03T12:00:00Z", "2024-03-01", "days") == -3


def test_diff_as_float_keeps_fraction() -> None:
    assert call_function("DATE_DIFF", "2024-03-01", "2024-03-01T06:00:00Z", "d", True) == 0.25


def test_diff_year_is_365_2425_days() -> None:
    assert call_function("DATE_DIFF", "2000-01-01", "2400-01-01", "years", True) == 400


def test_diff_month_is_a_twelfth_year() -> None:
    diff = call_function("DATE_DIFF", "2023-01-01", "2023-02-01", "months", True)
    assert diff == pytest.approx(31 * 86_400_000 / 2_629_746_000)


def test_diff_in_berlin_across_spring_forward_counts_wall_clock_hours() -> None:
    args = ("2024-03-30T23:00:00Z", "2024-03-31T22:00:00Z", "hours")
    assert call_function("DATE_DIFF", *args) == 23
    assert call_function("DATE_DIFF", *args, "Europe/Berlin") == 24


def test_diff_with_two_time_zones() -> None:
    date = "2024-06-01T00:00:00Z"
    assert call_function("DATE_DIFF", date, date, "h", True, "Europe/Berlin", "UTC") == -2


def test_diff_unknown_unit_warns_invalid_date() -> None:
    assert warning_codes("DATE_DIFF", 0, 0, "decades") == [INVALID_DATE]


def test_diff_fourth_argument_must_be_bool_or_time_zone() -> None:
    assert warning_codes("DATE_DIFF", 0, 0, "d", None) == [TYPE_MISMATCH]


# --------------------------------------------------------------------------- DATE_COMPARE


def test_compare_single_unit() -> None:
    assert call_function("DATE_COMPARE", "2020-05-01T10:00Z", "2021-05-09T11:00Z", "months") is True
    assert (
        call_function("DATE_COMPARE", "2020-05-01T10:00Z", "2020-06-01T10:00Z", "months") is False
    )


def test_compare_unit_range() -> None:
    args = ("2001-01-01T15:30:45.678Z", "2001-01-01T08:08:08.008Z")
    assert call_function("DATE_COMPARE", *args, "years", "days") is True
    assert call_function("DATE_COMPARE", *args, "years", "hours") is False


def test_compare_with_time_zones() -> None:
    # 09:00 in Berlin (summer) equals 09:00 in New York (summer)
    args = ("2024-06-01T07:00:00Z", "2024-06-01T13:00:00Z", "hour", "minute")
    assert call_function("DATE_COMPARE", *args) is False
    assert call_function("DATE_COMPARE", *args, "Europe/Berlin", "America/New_York") is True


def test_compare_invalid_start_unit_warns() -> None:
    assert warning_codes("DATE_COMPARE", 0, 0, "yo") == [TYPE_MISMATCH]


def test_compare_non_unit_fourth_argument_is_a_time_zone() -> None:
    assert warning_codes("DATE_COMPARE", 0, 0, "y", None) == [TYPE_MISMATCH]


# --------------------------------------------------------------------------- time-zone conversion


def test_utc_to_local_has_no_z_suffix() -> None:
    assert call_function("DATE_UTCTOLOCAL", "2024-01-10T12:00:00Z", "America/New_York") == (
        "2024-01-10T07:00:00.000"
    )


def test_utc_to_local_keeps_z_where_offset_is_zero() -> None:
    assert call_function("DATE_UTCTOLOCAL", "2024-01-10T12:00:00Z", "Etc/UTC") == (
        "2024-01-10T12:00:00.000Z"
    )


def test_local_to_utc_reads_the_date_as_wall_clock() -> None:
    assert call_function("DATE_LOCALTOUTC", "2024-07-10T12:00:00Z", "Europe/Berlin") == (
        "2024-07-10T10:00:00.000Z"
    )


def test_local_to_utc_round_trips_utc_to_local() -> None:
    local = call_function("DATE_UTCTOLOCAL", "2024-07-10T12:34:56.789Z", "Australia/Adelaide")
    assert call_function("DATE_LOCALTOUTC", local, "Australia/Adelaide") == (
        "2024-07-10T12:34:56.789Z"
    )


def test_local_to_utc_in_dst_gap_aborts_like_arangodb() -> None:
    with pytest.raises(QueryError, match=r"2024-03-31 02:30:00\.000 is in a gap"):
        call_function("DATE_LOCALTOUTC", "2024-03-31T02:30:00", "Europe/Berlin")


def test_local_to_utc_of_repeated_hour_aborts_like_arangodb() -> None:
    with pytest.raises(QueryError, match="is ambiguous"):
        call_function("DATE_LOCALTOUTC", "2024-10-27T02:30:00", "Europe/Berlin")


def test_utc_to_local_zone_info_during_summer_time() -> None:
    result = call_function("DATE_UTCTOLOCAL", "2024-07-01T00:00:00Z", "Europe/Berlin", True)
    assert result["local"] == "2024-07-01T02:00:00.000"
    assert isinstance(result["tzdb"], str)
    assert result["zoneInfo"] == {
        "name": "CEST",
        "begin": "2024-03-31T01:00:00.000Z",
        "end": "2024-10-27T01:00:00.000Z",
        "dst": True,
        "offset": 7200,
    }


def test_local_to_utc_zone_info_without_dst() -> None:
    result = call_function("DATE_LOCALTOUTC", "2024-05-01T12:00:00", "Asia/Tokyo", True)
    assert result["utc"] == "2024-05-01T03:00:00.000Z"
    assert result["zoneInfo"]["name"] == "JST"
    assert result["zoneInfo"]["end"] is None
    assert result["zoneInfo"]["dst"] is False
    assert result["zoneInfo"]["offset"] == 32400


def test_zone_info_of_utc_is_unbounded() -> None:
    info = call_function("DATE_UTCTOLOCAL", 0, "UTC", True)["zoneInfo"]
    assert (info["begin"], info["end"]) == (None, None)


def test_zoneinfo_flag_must_be_bool() -> None:
    assert warning_codes("DATE_UTCTOLOCAL", 0, "UTC", 1) == [TYPE_MISMATCH]


def test_conversion_time_zone_must_be_a_string() -> None:
    assert warning_codes("DATE_LOCALTOUTC", 0, None) == [TYPE_MISMATCH]


def test_timezones_lists_iana_names() -> None:
    zones = call_function("DATE_TIMEZONES")
    assert {"Europe/Berlin", "America/New_York", "UTC"} <= set(zones)
    assert zones == sorted(zones)


def test_timezone_is_a_listed_name() -> None:
    assert call_function("DATE_TIMEZONE") in call_function("DATE_TIMEZONES")


# --------------------------------------------------------------------------- helpers for the executor


def test_shift_timestamp_subtracts_duration() -> None:
    ts = to_timestamp_ms("2021-05-25T07:30:00Z")
    assert ts is not None
    assert shift_timestamp_by_duration(ts, "PT30M", -1) == to_timestamp_ms("2021-05-25T07:00:00Z")


def test_shift_timestamp_adds_calendar_months() -> None:
    ts = to_timestamp_ms("2021-01-31T00:00:00Z")
    assert ts is not None
    assert shift_timestamp_by_duration(ts, "P1M", 1) == to_timestamp_ms("2021-03-03T00:00:00Z")


def test_shift_timestamp_rejects_invalid_duration() -> None:
    assert shift_timestamp_by_duration(0, "30 minutes", 1) is None


def test_parse_date_gives_aware_utc_datetime() -> None:
    parsed = parse_date("2020-01-01T10:00:00+01:00")
    assert parsed is not None and parsed.isoformat() == "2020-01-01T09:00:00+00:00"


def test_parse_date_of_invalid_input_is_none() -> None:
    assert parse_date("2020-13-01") is None
    assert parse_date(True) is None
