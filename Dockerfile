# GlobalCart 360's Airflow image: the official image plus the project's pinned dependencies and its
# package. docker-compose.yaml builds it; the DAGs are mounted from the checkout, not baked in.
# Python 3.11: the interpreter constraints.txt was resolved on.
FROM apache/airflow:3.3.2-python3.11

# pip installs into the airflow user's environment (~/.local); the image refuses pip as root.
USER airflow

# Dependencies first, so a code change does not reinstall them: the same pins as the local stack,
# requirements.txt within the full lock constraints.txt. Pinning apache-airflow to the image's own
# version makes pip fail on a conflict instead of moving Airflow. Development tools, the local
# stack's embedded PostgreSQL among them, are in requirements-dev.txt and stay out of the image.
COPY --chown=airflow:0 requirements.txt constraints.txt /opt/airflow/
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" \
        -r /opt/airflow/requirements.txt -c /opt/airflow/constraints.txt

# The package, laid out as in the repository (pyproject.toml and README.md next to include/), installed
# editable: `import globalcart` and the `globalcart` command load /opt/airflow/include/globalcart, so
# globalcart.settings.SQL_DIR is /opt/airflow/include/sql, as it is include/sql in a checkout.
COPY --chown=airflow:0 pyproject.toml README.md /opt/airflow/
COPY --chown=airflow:0 include/ /opt/airflow/include/
# The documentation, which the project's Airflow plugin serves (the runbook links in alert emails).
COPY --chown=airflow:0 docs/ /opt/airflow/docs/
RUN pip install --no-cache-dir --no-deps -e /opt/airflow

# Mount points of the named volumes (Data Docs and exports; the admin's password file). A new volume
# takes their owner from the image; group-writable for any UID in group 0, as the image expects.
RUN umask 0002 && mkdir -p /opt/airflow/globalcart /opt/airflow/auth
