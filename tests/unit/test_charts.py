"""The SVG step chart of a figure topic: its series fold like the narrative, and its text is escaped."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from chronicle_web.charts import (
    OFFICIAL, OFFICIAL_COLOUR, RIGHT, WIDTH, describe, figure_series, short_date, step_chart,
)


def entry(claim, version, on, value=None, kind="stated", source="ministry", camp="official",
          next_change=None, stated=None, qualifier="exactly"):
    figure = None if value is None else {"point": value, "label": f"{value} people", "qualifier": qualifier}
    return {"claim": claim, "version": version, "kind": kind, "figure": figure,
            "stated": {"on": on, "until": on, "label": stated or on},
            "source": {"slug": source, "name": source.title(), "camp": camp}, "via": None,
            "next_change": next_change}


# The death toll's official story in miniature: 50, then 164 (retracted the next day), then 225.
HISTORY = [
    entry("early", 0, "2022-01-06", 50, source="authorities", qualifier="fewer than", stated="about 2022-01-06"),
    entry("toll-164", 0, "2022-01-09", 164, next_change={"kind": "retracted", "on": "2022-01-10"}),
    entry("denial", 0, "2022-01-10", source="health"),
    entry("toll-164", 1, "2022-01-10", 164, kind="retracted"),
    entry("count", 0, "2022-01-08", 90, source="reporters", camp="independent-media"),
    entry("prosecutor", 0, "2022-01-15", 225, source="prosecutor"),
]


def test_the_official_series_is_the_standing_figure_and_a_retraction_restores_the_one_before():
    official = figure_series(HISTORY)[0]
    assert official.key == OFFICIAL and official.colour == OFFICIAL_COLOUR
    assert [(day, point.value if point else None) for day, point in official.steps] == [
        ("2022-01-06", 50), ("2022-01-09", 164), ("2022-01-10", 50), ("2022-01-15", 225)]
    assert [(p.value, p.retracted_on) for p in official.points] == [(50, None), (164, "2022-01-10"), (225, None)]


def test_every_other_source_is_a_series_in_its_own_colour():
    series = figure_series(HISTORY)
    assert [s.key for s in series] == [OFFICIAL, "reporters"]
    assert series[1].colour != OFFICIAL_COLOUR and [p.value for p in series[1].points] == [90]


def test_a_retraction_with_nothing_before_it_leaves_a_gap():
    lone = [entry("only", 0, "2022-01-09", 164, next_change={"kind": "retracted", "on": "2022-01-10"}),
            entry("only", 1, "2022-01-10", 164, kind="retracted")]
    steps = figure_series(lone)[0].steps
    assert [(day, point is None) for day, point in steps] == [("2022-01-09", False), ("2022-01-10", True)]
    svg = step_chart(figure_series(lone), "people", "t")
    path = re.search(r'<path class="step series-official" d="([^"]+)"', svg)[1]
    assert not path.endswith(f"H{WIDTH - RIGHT}"), "nothing stands after the retraction, so the line stops"


def test_the_chart_is_well_formed_svg_with_a_point_per_value():
    svg = step_chart(figure_series(HISTORY), "people", "Death toll")
    root = ElementTree.fromstring(svg)
    points = root.findall(".//{http://www.w3.org/2000/svg}g[@data-series='official']")
    assert [p.get("data-value") for p in points] == ["50", "164", "225"]
    assert [p.get("class") for p in points] == ["point official", "point official retracted", "point official"]
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "value"]
    assert labels[:3] == ["<50", "164 · retracted", "225"]


def test_text_in_the_chart_is_escaped():
    hostile = [entry("x", 0, "2022-01-09", 5, source="<script>alert(1)</script>", camp="blog")]
    svg = step_chart(figure_series(hostile), "<b>people</b>", "a <title>")
    assert "<script>" not in svg and "<b>" not in svg and "&lt;script&gt;" in svg
    ElementTree.fromstring(svg)


def test_the_description_reads_the_chart_aloud():
    text = describe(figure_series(HISTORY))
    assert text.startswith("Official: 50 people (about 2022-01-06); 164 people (2022-01-09, retracted 2022-01-10)")


def test_no_figures_no_chart():
    assert step_chart(figure_series([entry("q", 0, "2022-01-09")]), "people", "t") == ""


def test_dates_under_the_steps_keep_their_fuzziness():
    assert short_date("2022-01-09") == "9 Jan"
    assert short_date("2022-01-06", "about 2022-01-06") == "~6 Jan"
    assert short_date("2022-01-21", "2022-01-21/2022-01-31") == "21–31 Jan"
    assert short_date("2022-08-01", "2022-08") == "Aug"
    assert short_date("2022-01-10", "2022-01-10?") == "10 Jan?"
