"""What each sentence of the insight (index, similar areas, changes) must say, checked against the tables for one
profile: shared by tests/content/test_insight_text.py (the latest period) and tests/e2e/test_key_findings.py
(every area in every period)."""

from __future__ import annotations

from quartiersprofile.content import insight, insight_change, insight_rows, insight_text, text


def check_index_sentence(profile) -> None:
    """The index sentence names the rank, the count, the class and the rank's interval of the index table (the
    city: every Ortsteil of class 5); the cover line says the same rank."""
    said = insight_text.index_sentence(profile)
    found = insight.index_for(profile.tables, profile.period)
    if found is None:
        assert said is None
        return
    position = insight_rows.index_position(profile)
    if profile.area.level == "stadt":
        ranked = found.ranked("ortsteil")
        names = {a.code: a.name for a in profile.tables.areas}
        assert all(names[c] in said for c in ranked.index[ranked["index_class"] == 5])
        return
    if position is None:
        assert said.startswith(f"{profile.name} hat keinen Wert im Gesundheits- und Sozialindex")
        return
    rank, count = int(position["rank"]), insight_rows.index_count(profile)
    assert f"auf Rang {rank} von {count} " in said
    assert f"Klasse {int(position['index_class'])} von 5 ({insight.class_label(position['index_class'])})" in said
    low, high = int(position["rank_lower"]), int(position["rank_upper"])
    assert (f"95-%-Intervall des Rangs: {low} bis {high}" in said) if low != high else "gleich" in said
    line = insight_text.cover_line(profile)
    assert line.startswith("Gesundheits- und Sozialindex: Klasse") and f"Rang {rank} von {count}" in line


def check_contrast_sentences(profile) -> int:
    """Each similar-areas sentence quotes the value, the city's and the similar areas' pooled value as the table
    prints them, names the similar areas, and says the comparison the table classifies; returns how many."""
    rows = profile.indicator_rows().set_index("id")
    checked = 0
    for _, row in insight_text.contrasts(profile).iterrows():
        said = insight_text.contrast_sentence(row, profile)
        cell = rows.loc[row["id"]]
        assert not cell["suppressed"]
        assert text.format_value(cell["value"], cell["unit"]) in said
        assert text.format_value(cell["city_value"], cell["unit"]) in said
        assert insight_text.format_derived(cell["neighbours_value"], cell["unit"]) in said
        assert all(name in said for name in cell["neighbours_areas"].split(", "))
        if row["kind"] == insight_text.FROM_NEIGHBOURS:
            assert cell["neighbours_comparison"] in insight_text.DIFFERENT and cell["comparison_95"] == "similar"
            assert "unterscheidet sich aber nicht signifikant von Bremerhaven" in said or "aber nicht" in said
        else:
            assert cell["comparison_95"] in insight_text.DIFFERENT and cell["neighbours_comparison"] == "similar"
        judged = {"worse": "ungünstiger", "better": "günstiger"}
        significant = cell["neighbours_comparison"] if row["kind"] == "neighbours" else cell["comparison_95"]
        assert judged.get(significant, "") in said
        checked += 1
    return checked


def check_change_sentences(profile) -> None:
    """The summary of "Was hat sich verändert?" names the previous period and the counts of the change table;
    each class change says the classes before and after."""
    changes = insight_change.changes(profile)
    if changes.previous is None:  # the data do not hold the previous period
        return
    said = " ".join(insight_text.change_summary(changes, profile))
    assert f"({insight.periods.label(changes.previous)})" in said
    if len(changes.significant):
        assert f"{len(changes.significant)} der {changes.tested} getesteten Indikatoren" in said
    elif changes.tested:
        assert f"Bei keinem der {changes.tested} getesteten Indikatoren" in said
    for _, row in changes.classes.iterrows():
        line = insight_text.class_change_text(row)
        labels = text.CLASSIFICATION_LABELS
        assert f"zuvor {labels[row['before']]}" in line and f"jetzt {labels[row['after']]}" in line
