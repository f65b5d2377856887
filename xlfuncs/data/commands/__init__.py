"""The command-line subcommands of the data layer (``filings``, ``coin``; ``company`` builds a
workbook and lives with the templates, :mod:`xlfuncs.workbooks.company_command`).

Each module exposes ``add_arguments(parser)`` and ``run(args) -> int``; a
:class:`~xlfuncs.data.errors.DataError` is one line on stderr and exit code 1.
"""
