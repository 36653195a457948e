"""What the cover, running header and footer of a report say (quartiersprofile.publish.cover)."""

from __future__ import annotations

from dataclasses import replace

from quartiersprofile.content.profile import Profile
from quartiersprofile.publish.cover import overview_info, report_info


def test_report_info_of_a_profile(small_tables):
    (lehe,) = [a for a in small_tables.areas if a.code == "13"]
    info = report_info(Profile(lehe, "2024-Q3", small_tables), "b1")
    assert (info.title, info.period_label, info.build_id) == ("Lehe", "3. Quartal 2024", "b1")
    assert info.level_line == "Stadtteil (zugleich Ortsteil 134) in Bremerhaven"
    assert info.stand == info.data_vintage == "31. März 2025"
    assert info.organisation == small_tables.metadata["publisher"]
    assert info.sample_notice == small_tables.metadata["sample_notice"]  # sample data: the notice on every page
    assert info.description == "Gesundheitsbezogenes Quartiersprofil Lehe, 3. Quartal 2024"


def test_real_data_carry_no_sample_notice(small_tables):
    real = replace(small_tables, metadata={**small_tables.metadata, "sample_data": False})
    info = report_info(Profile(real.areas[0], "2024", real), "b1")
    assert info.sample_notice is None and info.title == "Bremerhaven"


def test_overview_info(small_tables):
    info = overview_info(small_tables, "2024", "b2")
    assert (info.title, info.level_line, info.build_id) == (
        "Bremerhaven im Überblick", "Alle Ortsteile und Stadtteile im Vergleich", "b2")  # fmt: skip
    assert info.description.endswith(", 2024") and info.stand == "31. März 2025"


def test_a_report_links_its_other_files_and_the_index(small_tables):
    (lehe,) = [a for a in small_tables.areas if a.code == "13"]
    files = {"html": "stadtteil-lehe.html", "pdf": "stadtteil-lehe.pdf", "csv": "stadtteil-lehe.csv",
             "xlsx": "stadtteil-lehe.xlsx", "slides.html": "stadtteil-lehe.slides.html",
             "slides.pdf": "stadtteil-lehe.slides.pdf"}  # fmt: skip
    info = report_info(Profile(lehe, "2024", small_tables), "b1", files)
    assert info.links == (
        ("Alle Quartiersprofile", "../index.html"),
        ("Bericht (PDF)", "stadtteil-lehe.pdf"),
        ("Daten (CSV)", "stadtteil-lehe.csv"),
        ("Daten (Excel)", "stadtteil-lehe.xlsx"),
        ("Folien", "stadtteil-lehe.slides.html"),
        ("Folien (PDF)", "stadtteil-lehe.slides.pdf"),
    )
    # The slides link the report instead of themselves.
    assert ("Bericht (HTML)", "stadtteil-lehe.html") in info.slides_links
    assert "stadtteil-lehe.slides.html" not in dict(info.slides_links).values()


def test_only_the_files_the_job_writes_are_linked(small_tables):
    (lehe,) = [a for a in small_tables.areas if a.code == "13"]
    info = report_info(Profile(lehe, "2024", small_tables), "b1", {"html": "stadtteil-lehe.html"})
    assert info.links == (("Alle Quartiersprofile", "../index.html"),)  # --format html: no PDF to link
    assert report_info(Profile(lehe, "2024", small_tables), "b1").links == ()  # e.g. the preview: no files
    overview = overview_info(small_tables, "2024", "b2", {"html": "uebersicht-bremerhaven.html",
                                                           "pdf": "uebersicht-bremerhaven.pdf"})  # fmt: skip
    assert overview.links == (("Alle Quartiersprofile", "../index.html"),
                              ("Bericht (PDF)", "uebersicht-bremerhaven.pdf"))  # fmt: skip
