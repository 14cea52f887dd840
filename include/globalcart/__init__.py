"""GlobalCart 360: incremental ELT from a shop's PostgreSQL into a star schema, under Airflow 3."""

import os

# The models fit small matrices many times over: one BLAS thread per process is faster than
# several threads fighting over two cores (SARIMAX on 730 days: 2.5 s instead of 12 s under load).
# Set before numpy is first imported; an operator's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
