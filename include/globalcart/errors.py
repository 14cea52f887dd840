"""The exceptions a user sees: the CLI turns each into a one-line message and a non-zero exit."""


class GlobalCartError(Exception):
    """An error with a message fit to show a user as it is."""


class QualityGateBlocked(GlobalCartError):
    """Critical data-quality checks failed: the tables were not published, and the alert has said so.

    A verdict, not a glitch: under Airflow the task fails without retrying (a retry would only
    repeat the alert).
    """


class FactsNotPublished(GlobalCartError):
    """The facts hold changes that no KPI publication has passed: nothing downstream may read them."""
