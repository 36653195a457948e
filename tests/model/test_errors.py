"""The errors the command line reports to the user (quartiersprofile.model.errors)."""

import pytest

from quartiersprofile.build.jobs import InvalidRequestError
from quartiersprofile.model.areas import UnknownAreaError
from quartiersprofile.model.contract import DataValidationError
from quartiersprofile.model.errors import DisclosureError, InputError


@pytest.mark.parametrize("error", [DataValidationError, UnknownAreaError, InvalidRequestError])
def test_every_invalid_input_is_an_input_error(error):
    assert issubclass(error, InputError) and issubclass(error, ValueError)
    assert not issubclass(DisclosureError, InputError)


def test_a_disclosure_error_lists_every_leak_and_keeps_them():
    leaks = ["CSV-Datei: ein unterdrückter Wert ist sichtbar", "HTML-Bericht: ein unterdrückter Wert ist sichtbar"]
    error = DisclosureError(leaks)
    assert error.leaks == leaks
    assert str(error) == (
        "Datenschutzprüfung: 2 Befund(e)\n  CSV-Datei: ein unterdrückter Wert ist sichtbar"
        "\n  HTML-Bericht: ein unterdrückter Wert ist sichtbar"
    )
