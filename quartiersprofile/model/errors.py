"""The errors the command line reports to the user rather than as a traceback; standard library only, so that
the command line can name them without loading the layers that raise them.

- `InputError`: what the user gave is invalid (data, district, period): exit code 2, nothing is built.
- `DisclosureError`: the disclosure audit found a hidden value that an output would reveal: nothing is built.
"""

from __future__ import annotations


class InputError(ValueError):
    """Invalid input: the message says what is wrong and what was expected."""


class DisclosureError(RuntimeError):
    """The disclosure audit found hidden values that the outputs would reveal; `leaks` lists them (each names
    file, indicator, area, period and place, never the value)."""

    def __init__(self, leaks: list):
        self.leaks = leaks
        lines = "\n  ".join(str(leak) for leak in leaks)
        super().__init__(f"Datenschutzprüfung: {len(leaks)} Befund(e)\n  {lines}")
