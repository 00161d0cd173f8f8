"""The one error drctl turns into a one-line message and exit code 2 (its own module: the report
writer Lambda imports the run history without drctl's stack-file loading)."""


class UsageError(Exception):
    """Bad input or configuration: drctl prints the one-line message and exits 2."""
