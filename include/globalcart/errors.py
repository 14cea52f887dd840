"""The one exception type the CLI turns into a one-line message and a non-zero exit."""


class GlobalCartError(Exception):
    """An error with a message fit to show a user as it is."""
