"""The overview's focus districts (quartiersprofile.content.overview): taken from the focus group "fokusgebiete" of
dataset.toml, no longer a list in the code."""

from __future__ import annotations

import dataclasses

from quartiersprofile.content.overview import FOCUS_MARK, FOCUS_PART_MARK, focus_codes, focus_mark, focus_ortsteile


def test_the_focus_districts_come_from_dataset_toml(bundled_tables):
    assert focus_codes(bundled_tables) == ("13", "12", "212", "215", "23")
    areas = {a.code: a for a in bundled_tables.areas}
    codes = focus_codes(bundled_tables)
    assert focus_mark(areas["13"], codes) == FOCUS_MARK and focus_mark(areas["23"], codes) == FOCUS_MARK
    assert focus_mark(areas["134"], codes) == FOCUS_PART_MARK  # an Ortsteil of Lehe
    assert focus_mark(areas["21"], codes) == FOCUS_PART_MARK  # Geestemünde holds Geestendorf and Grünhöfe
    assert focus_mark(areas["241"], codes) == ""
    assert "231" in focus_ortsteile(bundled_tables) and "212" in focus_ortsteile(bundled_tables)
    assert len(focus_ortsteile(bundled_tables)) == 7 + 3 + 2 + 1  # Lehe, Leherheide, Geestendorf/Grünhöfe, Surheide


def test_without_the_group_nothing_is_marked(bundled_tables):
    metadata = {k: v for k, v in bundled_tables.metadata.items() if k != "focus_groups"}
    tables = dataclasses.replace(bundled_tables, metadata=metadata)
    assert focus_codes(tables) == () and focus_ortsteile(tables) == []
    assert focus_mark(tables.areas[1], focus_codes(tables)) == ""
