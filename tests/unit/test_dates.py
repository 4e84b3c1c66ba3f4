from datetime import date

import pytest

from chronicle.dates import FuzzyDate, FuzzyDateError


@pytest.mark.parametrize("text, start, end, precision", [
    ("2022-01-07", date(2022, 1, 7), date(2022, 1, 7), "day"),
    ("2022-08", date(2022, 8, 1), date(2022, 8, 31), "month"),
    ("2022", date(2022, 1, 1), date(2022, 12, 31), "year"),
    ("2022-01-21/2022-01-31", date(2022, 1, 21), date(2022, 1, 31), "range"),
])
def test_a_date_keeps_its_precision(text, start, end, precision):
    parsed = FuzzyDate.parse(text)
    assert (parsed.start, parsed.end, parsed.precision, parsed.edtf) == (start, end, precision, text)


def test_overnight_is_a_day_with_a_part_and_a_note():
    night = FuzzyDate.parse("2022-01-07", "night", "overnight on 7 January")
    assert night.precision == "part-of-day"
    assert night.label() == "2022-01-07 (night)"
    assert FuzzyDate.from_dict(night.to_dict()) == night


def test_approximate_and_uncertain_dates_say_so():
    assert FuzzyDate.parse("2022-01-06~").label() == "about 2022-01-06"
    assert FuzzyDate.parse("2022-01-10?").label() == "2022-01-10?"
    assert FuzzyDate.parse("2022-01-10?").uncertain


@pytest.mark.parametrize("text, named", [
    ("2022-02-30", "'2022-02-30' is not a real date"),
    ("7 January", "'7 January' is not a date"),
    ("2022-01-31/2022-01-01", "ends before it starts"),
    ("2022-1-7", "'2022-1-7' is not a date"),
])
def test_impossible_or_unreadable_dates_are_refused_with_the_value_named(text, named):
    with pytest.raises(FuzzyDateError, match=named):
        FuzzyDate.parse(text)


def test_a_part_of_day_needs_a_day():
    with pytest.raises(FuzzyDateError, match="part of day"):
        FuzzyDate.parse("2022-01", "night")
