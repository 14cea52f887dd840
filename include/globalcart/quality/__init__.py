"""The data-quality gate: Great Expectations checks that decide whether a run may publish."""
