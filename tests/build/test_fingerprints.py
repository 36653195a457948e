"""What a build's outputs depend on, as hashes (quartiersprofile.build.fingerprints)."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from conftest import SMALL_DATA

from quartiersprofile.build import fingerprints
from quartiersprofile.build.jobs import TEMPLATE_NOTEBOOK, BuildOptions


@pytest.fixture(autouse=True)
def _no_browser(monkeypatch):
    """The environment fingerprint asks Chromium for its version: not here."""
    monkeypatch.setattr(fingerprints, "chromium_version", lambda: "Chromium 1.0")


def test_combine_is_an_order_sensitive_hash():
    assert fingerprints.combine("a", "b") == fingerprints.combine("a", "b") != fingerprints.combine("b", "a")
    assert len(fingerprints.combine("a")) == 64


def test_package_versions_list_python_and_every_environment_package():
    versions = fingerprints.package_versions()
    assert set(versions) == {"python", *fingerprints.ENVIRONMENT_PACKAGES}
    assert versions["pandas"] != "missing"


def test_the_environment_includes_the_chromium_that_prints(monkeypatch):
    before = fingerprints.environment_fingerprint()
    monkeypatch.setattr(fingerprints, "chromium_version", lambda: "Chromium 2.0")
    assert fingerprints.environment_fingerprint() != before


def test_the_request_depends_on_data_parameters_and_template(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SMALL_DATA, data)
    options = BuildOptions(data_dir=data, districts=("Lehe", "212"), formats=("html", "pdf"))
    request = fingerprints.request_fingerprint(options)
    assert fingerprints.request_fingerprint(replace(options, districts=("212", "Lehe"))) == request  # a set
    assert fingerprints.request_fingerprint(replace(options, formats=("pdf", "html"))) == request
    assert fingerprints.request_fingerprint(replace(options, jobs=7, force=True)) == request  # not the output
    for changed in (replace(options, period="2023"), replace(options, districts=("Lehe",)),
                    replace(options, formats=("html",))):  # fmt: skip
        assert fingerprints.request_fingerprint(changed) != request
    template = tmp_path / "profile.ipynb"
    template.write_bytes(TEMPLATE_NOTEBOOK.read_bytes() + b"\n")
    assert fingerprints.request_fingerprint(replace(options, template=template)) != request
    (data / "dataset.toml").write_text((data / "dataset.toml").read_text() + "\n# changed\n")
    assert fingerprints.request_fingerprint(options) != request


def test_software_fingerprint_is_code_and_environment():
    assert fingerprints.software_fingerprint() == (
        f"{fingerprints.package_fingerprint()} {fingerprints.environment_fingerprint()}"
    )
