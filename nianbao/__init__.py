"""nianbao: annual reports on government information disclosure, as one validated dataset."""

import os as _os

__version__ = "0.1.0"

# Installed, nianbao.parsers, nianbao.scraper and nianbao.output are subfolders of this package
# (pyproject.toml maps the top-level folders). In a source checkout they stand beside it: let
# the package find them there, so a checkout always imports its own code, whichever
# installation the interpreter also has.
_root = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if _os.path.isfile(_os.path.join(_root, "pyproject.toml")) and _os.path.isfile(
        _os.path.join(_root, "parsers", "__init__.py")):
    __path__.append(_root)  # type: ignore[name-defined]  # noqa: F821
