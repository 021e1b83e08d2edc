"""The extraction: lines of cells to canonical facts (segments, row matching, recovery of
dropped cells), metadata (title, agency, year) and the accounting checks.

Nothing here knows a file format; :mod:`nianbao.parsers.readers` does.
"""
