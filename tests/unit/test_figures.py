import pytest

from chronicle.figures import Figure, FigureError


def test_figures_read_as_a_journalist_would_write_them():
    assert Figure("people", value=164).label() == "164 people"
    assert Figure("people", value=50, qualifier="fewer than").label() == "fewer than 50 people"
    assert Figure("USD", low=2e9, high=3e9).label() == "2–3 bn USD"
    assert Figure("people", value=4500, qualifier="more than").label() == "more than 4,500 people"


def test_a_range_plots_at_its_middle():
    assert Figure("USD", low=2e9, high=3e9).point == 2.5e9


def test_breakdown_survives_the_stored_form():
    stored = {"unit": "people", "value": 227, "breakdown": [{"label": "law enforcement", "value": 19}]}
    figure = Figure.from_dict(stored)
    assert figure.breakdown[0].label == "law enforcement"
    assert Figure.from_dict(figure.to_dict()) == figure


@pytest.mark.parametrize("kwargs", [{}, {"value": 1, "low": 1, "high": 2}, {"low": 3, "high": 2},
                                    {"value": 1, "qualifier": "roughly"}])
def test_malformed_figures_are_refused(kwargs):
    with pytest.raises(FigureError):
        Figure("people", **kwargs)
