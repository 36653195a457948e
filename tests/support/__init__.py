"""Helpers shared by test modules in different folders (importable as `support.<module>`: tests/ is on sys.path,
as the folder of the top-level conftest.py). Assertions in here are rewritten by pytest (see conftest.py)."""
