"""Running the parsing of an uploaded file in a child process bounded in memory and time.

A crafted spreadsheet can make the native reader allocate without bound or abort the whole
process (python-calamine aborts on a failed allocation: a sheet with cells at A1 and XFD1048576
asks for 512 GiB, tafia/calamine#693). Such a file must cost one child process, never the
server that other users are on, nor the command line's clean exit code and French message.

:func:`run` calls a function in a child process whose address space is capped
(``RLIMIT_AS`` = what the child already maps + the budget: a child forked from a big process
already maps a lot of virtual memory, so an absolute cap would be wrong) and which is killed
after a wall-clock limit (with ``RLIMIT_CPU`` as a backstop if the parent itself dies). The
function's result (or the exception it raised) comes back pickled through a pipe; any other
ending (killed by a signal, memory exhausted, time out) becomes :class:`SandboxError`, whose
message is French.

Two ways of starting the child (measured on the 2-core reference machine):

* ``"fork"``: the command line. It forks before loading pandas and DuckDB (its start-up is
  light): the child imports the pipeline and reads the file while the parent loads the engine
  and opens the base (:class:`Child` lets the parent work before it waits). A prepared
  100,000 x 15 import comes back pickled (20 MB) in about 30 ms. The command-line process has
  no threads of its own at that point.
* ``"forkserver"``: the app. The Streamlit server runs many threads (event loop, one per
  session run, file watcher); forking it could copy a lock held by another thread and hang the
  child. A fork server is a fresh, single-purpose process started once (about 1–2 s, on the
  first upload) that preloads the pipeline modules; each upload is then a fork of it.

Child output written to its stderr (a native library's abort message, say) is captured in a
temporary file, logged, and used to tell an exhausted memory from another fatal signal.
"""

from __future__ import annotations

import faulthandler
import logging
import math
import multiprocessing
import os
import pickle
import resource
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

__all__ = ["DEFAULT_MEMORY_BYTES", "DEFAULT_TIMEOUT_S", "Child", "SandboxError", "SandboxLimits", "run"]

DEFAULT_MEMORY_BYTES = 2 << 30
DEFAULT_TIMEOUT_S = 120.0
# Modules the fork server imports once, so that each child starts with the pipeline loaded
# (and, first, the one that stops its children from re-running the app script: see it).
# Names, not imports: importing the pipeline here would load pandas wherever the sandbox is
# imported (the command line's start-up), and sandbox_forkserver must run in the fork server
# only. tests/system/test_hostile_files.py checks that they name real modules.
PRELOAD = ["pilotage_qualite.intake.sandbox_forkserver", "pilotage_qualite.intake.prepare", "pilotage_qualite.intake.uploads"]
START_METHODS = ("fork", "forkserver")

_MEMORY_EXIT = 3  # the child's exit code when Python itself ran out of memory
_STDERR_TAIL = 4096
# What a native library prints when an allocation fails before aborting (Rust, C++).
_OUT_OF_MEMORY_SIGNS = ("memory allocation of", "std::bad_alloc", "Cannot allocate memory", "MemoryError")

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class SandboxLimits:
    """What one child may use: address space added to its start-up size, and wall time."""

    memory_bytes: int = DEFAULT_MEMORY_BYTES
    timeout_s: float = DEFAULT_TIMEOUT_S

    @classmethod
    def from_settings(cls, settings) -> "SandboxLimits":
        """From ``PILOTAGE_LECTURE_MEMOIRE_MO`` and ``PILOTAGE_LECTURE_DELAI_S`` (a ``Settings``)."""
        return cls(settings.read_memory_mb * 2**20, settings.read_timeout_s)


class SandboxError(Exception):
    """The child did not give a result (memory, time, signal). ``str()``: French, no file name."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


def run(function: Callable[..., T], args: tuple = (), kwargs: dict[str, Any] | None = None, *,
        limits: SandboxLimits = SandboxLimits(), start: str = "fork") -> T:
    """``function(*args, **kwargs)`` in a bounded child process.

    Returns its result or re-raises the exception it raised (both must be picklable, and with
    ``"forkserver"`` the function and arguments too). Raises :class:`SandboxError` when the
    child ran out of memory or time or was killed.
    """
    return Child(function, args, kwargs, limits=limits, start=start).result()


class Child:
    """A started bounded child (see :func:`run`): the caller may work while it runs — the
    command line imports the engine and opens the base while its child reads the file."""

    def __init__(self, function: Callable[..., T], args: tuple = (), kwargs: dict[str, Any] | None = None, *,
                 limits: SandboxLimits = SandboxLimits(), start: str = "fork") -> None:
        if start not in START_METHODS:
            raise ValueError(f"start must be one of {START_METHODS}")
        context = multiprocessing.get_context(start)
        if start == "forkserver":
            context.set_forkserver_preload(PRELOAD)  # only read when the server first starts
        handle, self._stderr_path = tempfile.mkstemp(prefix="pilotage-lecture-", suffix=".log")
        os.close(handle)
        self.limits = limits
        self._deadline = time.monotonic() + limits.timeout_s
        self._reader, writer = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_child, name="pilotage-lecture", daemon=True,
            args=(writer, self._stderr_path, limits.memory_bytes, limits.timeout_s, function, args, kwargs or {}))
        try:
            self._process.start()
        finally:
            writer.close()

    def result(self) -> Any:
        """Wait for the child (until its deadline) and return or raise what it gave."""
        process, reader = self._process, self._reader
        try:
            payload = _receive(reader, process, self._deadline, self.limits.timeout_s)
            process.join()
            if payload is None:
                raise _failure(process.exitcode, _tail(self._stderr_path), self.limits)
            status, value = pickle.loads(payload)
            if status == "raised":
                raise value
            return value
        finally:
            reader.close()
            if process.is_alive():
                process.kill()
                process.join()
            if process.exitcode not in (0, None):  # details for the server log, not the user (INFO)
                logger.info("Processus de lecture terminé par le code %s : %s", process.exitcode,
                            _tail(self._stderr_path))
            try:
                os.unlink(self._stderr_path)
            except OSError:
                pass


def _receive(reader, process, deadline: float, timeout_s: float) -> bytes | None:
    """The child's pickled answer; None if it died first. Kills it once the time is up."""
    if not reader.poll(max(deadline - time.monotonic(), 0)):
        process.kill()
        process.join()
        raise SandboxError(f"la lecture a dépassé {_seconds(timeout_s)} s : le fichier est trop lourd "
                           "ou construit pour bloquer la lecture.")
    try:
        return reader.recv_bytes()
    except (EOFError, OSError):
        return None


def _failure(exitcode: int | None, stderr: str, limits: SandboxLimits) -> SandboxError:
    """The French error for a child that ended without an answer."""
    memory = f"{limits.memory_bytes / 2**20:,.0f}".replace(",", " ")
    if exitcode == _MEMORY_EXIT or any(sign in stderr for sign in _OUT_OF_MEMORY_SIGNS):
        return SandboxError(f"le fichier a dépassé la mémoire autorisée ({memory} Mo) : il est trop grand "
                            "ou construit pour saturer la mémoire.", detail=stderr)
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        if number == signal.SIGXCPU:
            return SandboxError(f"la lecture a dépassé {_seconds(limits.timeout_s)} s de calcul.", detail=stderr)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return SandboxError(f"la lecture du fichier a échoué (processus arrêté par le signal {name}) : "
                            "le fichier est probablement endommagé ou construit pour faire échouer la lecture.",
                            detail=stderr)
    return SandboxError(f"la lecture du fichier a échoué (processus terminé par le code {exitcode}).",
                        detail=stderr)


def _seconds(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _tail(path: str) -> str:
    """The child's stderr: its beginning (a native abort message comes first) and its end."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(_STDERR_TAIL)
            size = os.path.getsize(path)
            if size > 2 * _STDERR_TAIL:
                handle.seek(size - _STDERR_TAIL)
                data += b"\n[...]\n" + handle.read()
            elif size > _STDERR_TAIL:
                data += handle.read()
            return data.decode("utf-8", "replace")
    except OSError:
        return ""


def _virtual_size() -> int:
    """Bytes of address space this process maps now (``VmSize``)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _limit(kind: int, value: int) -> None:
    """Lower soft and hard limits to ``value`` (never above the hard limit already set)."""
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def _child(writer, stderr_path: str, memory_bytes: int, timeout_s: float, function: Callable[..., Any],
           args: tuple, kwargs: dict) -> None:
    """The child's body: bound itself, run, send ``("ok", result)`` or ``("raised", exc)``."""
    try:
        os.environ["RUST_BACKTRACE"] = "0"  # a native abort writes one line, not a backtrace
        descriptor = os.open(stderr_path, os.O_WRONLY | os.O_APPEND)
        os.dup2(descriptor, 2)
        os.close(descriptor)
        if faulthandler.is_enabled():  # report a crash into the captured stderr, not the parent's
            faulthandler.enable(file=2)
        _limit(resource.RLIMIT_AS, _virtual_size() + memory_bytes)
        # A backstop if the parent dies without killing the child: CPU seconds, then SIGXCPU.
        cpu = math.ceil(timeout_s) + 5
        _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, hard if hard != resource.RLIM_INFINITY else cpu + 5))
        try:
            payload = ("ok", function(*args, **kwargs))
        except MemoryError:
            os._exit(_MEMORY_EXIT)
        except Exception as exc:  # noqa: BLE001 - handed to the parent, which re-raises it
            payload = ("raised", exc)
        try:
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            os._exit(_MEMORY_EXIT)
        except Exception as exc:  # noqa: BLE001 - an unpicklable result or exception
            data = pickle.dumps(("raised", RuntimeError(f"{type(exc).__name__}: {exc}")))
        writer.send_bytes(data)
        writer.close()
    except MemoryError:
        os._exit(_MEMORY_EXIT)
    # Leave now: freeing the result and what the function left alive object by object would
    # only delay the parent, which waits for this process to end.
    sys.stderr.flush()
    os._exit(0)
