"""The text renderers the CLI and the demo print with."""

from __future__ import annotations

import io

from jobtask_engine.cli.render import bar_chart, bar_glyph, cell, numeric_columns, table, to_csv


def test_table_aligns_numbers_right_and_text_left():
    text = table([{"name": "a", "n": 5}, {"name": "bbb", "n": 1234}])
    assert text.splitlines() == [
        "name      n",
        "----  -----",
        "a         5",
        "bbb   1,234",
    ]


def test_table_of_nothing():
    assert table([]) == "(no rows)"
    assert table([], ["a"]).splitlines()[-1] == "(no rows)"


def test_cells():
    assert cell(None) == "-"
    assert cell(True) == "true"
    assert cell(2.5) == "2.5" and cell(2.0) == "2" and cell(1 / 3) == "0.333"
    assert cell([{"error_code": "E"}]) == "[1 item]"
    assert cell(["a", 1]) == '["a",1]'
    assert cell("x" * 100).endswith("...") and len(cell("x" * 100)) == 40


def test_bar_chart_scales_to_the_largest_value():
    rows = [{"k": "a", "v": 10}, {"k": "bb", "v": 5}, {"k": "c", "v": 0}, {"k": "d", "v": None}]
    lines = bar_chart(rows, "v", ["k"], width=10, glyph="#").splitlines()
    assert lines[0] == "a   ##########  10"
    assert lines[1] == "bb  #####       5"
    assert lines[2] == "c               0"
    assert lines[3] == "d               -"


def test_tiny_values_still_get_a_bar():
    lines = bar_chart([{"k": "a", "v": 1000}, {"k": "b", "v": 1}], "v", ["k"], width=10, glyph="#").splitlines()
    assert lines[1].split()[1] == "#"


def test_numeric_columns_ignore_nulls_and_booleans():
    rows = [{"a": 1, "b": "x", "c": None, "d": True}, {"a": 2.5, "b": 3, "c": 4, "d": False}]
    assert numeric_columns(rows) == ["a", "c"]


def test_csv_encodes_nested_values_as_json():
    assert to_csv([{"a": None, "b": [1, 2], "c": "x,y"}]).splitlines() == ["a,b,c", ',"[1,2]","x,y"']


def test_bar_glyph_falls_back_to_ascii():
    assert bar_glyph(io.TextIOWrapper(io.BytesIO(), encoding="ascii")) == "#"
    assert bar_glyph(io.TextIOWrapper(io.BytesIO(), encoding="utf-8")) == "█"
