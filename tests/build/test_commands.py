"""`python build.py check`, `preview` and `audit` as commands (quartiersprofile.build.commands); the preview server
itself runs in tests/e2e/test_preview.py."""

from __future__ import annotations

import shutil

import pytest
from conftest import REPO, SMALL_DATA

from quartiersprofile.build import cli, commands, jobs


def test_check_of_valid_data_says_what_it_found(capsys):
    assert cli.main(["check", "--data", str(SMALL_DATA)]) == jobs.EXIT_OK
    line = capsys.readouterr().out.strip()
    assert line.startswith("Daten in Ordnung (Beispieldaten): ")
    # tests/fixtures/data_small: the real register (24 Ortsteile, 9 Stadtteile), two inhabited Ortsteile
    assert "24 Ortsteile (2 bewohnt), 9 Stadtteile" in line
    assert "Jahre 2019–2024" in line and "Quartale 1. Quartal 2019 bis 4. Quartal 2024" in line


def test_check_of_invalid_data_lists_every_problem_and_exits_with_2(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(SMALL_DATA, data)
    observations = (data / "observations.csv").read_text("utf-8").splitlines()
    header, first = observations[0].split(","), observations[1].split(",")
    first[header.index("numerator")] = "abc"
    observations[1] = ",".join(first)
    (data / "observations.csv").write_text("\n".join(observations) + "\n", "utf-8")
    (data / "population.csv").unlink()
    assert cli.main(["check", "--data", str(data)]) == jobs.EXIT_INVALID_INPUT
    err = capsys.readouterr().err
    assert "2 Probleme in den Eingabedaten" in err
    assert 'observations.csv, Zeile 2, Spalte "numerator": Wert "abc"' in err
    assert "eine Datei population.csv oder population.xlsx" in err


def test_check_of_a_missing_folder_exits_with_2(tmp_path, capsys):
    assert cli.main(["check", "--data", str(tmp_path / "nowhere")]) == jobs.EXIT_INVALID_INPUT
    assert "nowhere" in capsys.readouterr().err


def test_preview_refuses_a_missing_template(tmp_path, capsys):
    assert commands.preview(["--template", str(tmp_path / "none.ipynb")]) == jobs.EXIT_INVALID_INPUT
    assert "none.ipynb not found" in capsys.readouterr().err


def test_commands_have_their_own_help(capsys):
    for command in cli.COMMANDS:
        with pytest.raises(SystemExit) as caught:
            cli.main([command, "--help"])
        assert caught.value.code == 0
        assert f"usage: python build.py {command}" in capsys.readouterr().out
    assert REPO.is_dir()
