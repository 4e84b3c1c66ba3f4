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


def test_an_estimate_has_a_best_figure_between_its_low_and_high():
    figure = Figure("people", low=50, best=58, high=80, qualifier="presumed")
    assert figure.point == 58 and figure.label() == "presumed 58 (estimate 50–80) people"
    assert Figure.from_dict(figure.to_dict()) == figure
    with pytest.raises(FigureError):
        Figure("people", low=50, best=90, high=80)
    with pytest.raises(FigureError):
        Figure("people", value=58, best=58, low=50, high=80)


def test_integers_stay_integers():
    stored = Figure.from_dict({"value": 58.0, "unit": "people"}).to_dict()
    assert stored["value"] == 58 and isinstance(stored["value"], int)


@pytest.mark.parametrize("number", [9.3e18, 1e20, 1e308, float("inf"), float("nan"), 2**60])
def test_a_figure_too_large_for_every_store_is_refused(number):
    with pytest.raises(FigureError, match="range|number"):
        Figure("people", value=number)
