"""Run a function in a forked child with a CPU, memory and wall-clock bar.

Tests use :func:`run_bounded` to enforce the "finishes in under 2 s CPU and 256 MB,
enforced by a worker with a hard kill" bar of ``BAD_INPUTS.md``::

    result = run_bounded(parse_case, 12, cpu_seconds=2.0, memory_mb=256)

How each bound is enforced (Linux; ``fork`` start method):

* **CPU**: ``RLIMIT_CPU`` in the child, soft limit ``ceil(cpu_seconds)`` (the kernel
  counts whole seconds; SIGXCPU kills the child), hard limit one second later
  (SIGKILL).  The child also measures ``time.process_time()`` around the call and
  reports ``BoundExceeded("cpu")`` when it took more than ``cpu_seconds`` even though
  the kernel limit, rounded up, did not fire.
* **Memory**: the bar is on what the call *adds*, not on the size of the process: a
  child forked from a pytest process starts with the parent's whole address space and
  resident set, so an absolute ``RLIMIT_AS`` of 256 MB would kill it before it starts
  (or would have to be set so high that it means nothing).  So the child (1) sets
  ``RLIMIT_AS`` to its current virtual size plus ``memory_mb``: an allocation beyond
  that fails with ``MemoryError``, reported as ``BoundExceeded("memory")``; and (2)
  compares its peak resident set after the call (``VmHWM``, which starts at the
  child's own RSS after fork, reset with ``/proc/self/clear_refs`` when allowed; or
  ``ru_maxrss``) with its resident set before the call, and reports
  ``BoundExceeded("memory")`` when the increase is over ``memory_mb``.
* **Wall clock**: the parent waits at most ``wall_seconds`` and then SIGKILLs the
  child: ``BoundExceeded("wall")``.

The function must be a module-level (importable) callable; with ``fork`` it is not
pickled, but its arguments' results are sent back through a pipe, so the return value
must be picklable.  An exception in the child is re-raised in the parent as
:class:`ChildError` carrying the type name, the message, a ``reason`` attribute when
the exception had one (:class:`~webleads_core.errors.ItemRejected`), and the child's
traceback text.
"""

from __future__ import annotations

import math
import multiprocessing
import resource
import signal
import time
import traceback
from collections.abc import Callable
from typing import Any

__all__ = ["BoundExceeded", "ChildError", "BoundedStats", "run_bounded", "last_stats"]

MiB = 1024 * 1024


class BoundExceeded(Exception):
    """The child went over a bound and was stopped (or its result was refused).

    Attributes:
        kind: ``"cpu"``, ``"memory"``, ``"wall"`` or ``"killed"`` (died by a signal
            nobody asked for, e.g. the kernel's OOM killer or a crash).
        detail: measured figures, for the test report.
    """

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


class ChildError(Exception):
    """The function raised in the child.

    Attributes:
        type_name: qualified name of the exception type (``"ItemRejected"``).
        message: ``str(exc)``.
        reason: ``exc.reason`` when the exception had one, else None.
        child_traceback: the formatted traceback from the child.
    """

    def __init__(self, type_name: str, message: str, reason: str | None = None, child_traceback: str = "") -> None:
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name
        self.message = message
        self.reason = reason
        self.child_traceback = child_traceback


class BoundedStats:
    """What the last successful :func:`run_bounded` call measured in the child."""

    __slots__ = ("cpu_seconds", "peak_rss_increase_mb", "wall_seconds")

    def __init__(self, cpu_seconds: float, peak_rss_increase_mb: float, wall_seconds: float) -> None:
        self.cpu_seconds = cpu_seconds
        self.peak_rss_increase_mb = peak_rss_increase_mb
        self.wall_seconds = wall_seconds

    def __repr__(self) -> str:
        return (
            f"BoundedStats(cpu_seconds={self.cpu_seconds:.3f}, "
            f"peak_rss_increase_mb={self.peak_rss_increase_mb:.1f}, wall_seconds={self.wall_seconds:.3f})"
        )


_last: BoundedStats | None = None


def last_stats() -> BoundedStats | None:
    """Measurements of the most recent successful call in this process."""
    return _last


def _proc_status() -> dict[str, int]:
    """VmSize, VmRSS, VmHWM of this process in bytes (empty if /proc is unavailable)."""
    out: dict[str, int] = {}
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmSize", "VmRSS", "VmHWM"):
                    out[key] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return out


def _peak_rss() -> int:
    status = _proc_status()
    if "VmHWM" in status:
        return status["VmHWM"]
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _child(conn: Any, func: Callable[..., Any], args: tuple, kwargs: dict, cpu_seconds: float, memory_mb: float) -> None:
    try:
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # reset the peak-RSS mark to the current RSS
        except OSError:
            pass
        status = _proc_status()
        rss0 = status.get("VmRSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        vm0 = status.get("VmSize")
        used = time.process_time()
        soft = max(1, math.ceil(used + cpu_seconds))
        _, hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)
        if hard_cpu == resource.RLIM_INFINITY or hard_cpu > soft + 1:
            hard_cpu = soft + 1
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard_cpu))
        if vm0 is not None:
            _, hard_as = resource.getrlimit(resource.RLIMIT_AS)
            want = vm0 + int(memory_mb * MiB)
            if hard_as == resource.RLIM_INFINITY or hard_as >= want:
                resource.setrlimit(resource.RLIMIT_AS, (want, hard_as))
        t0 = time.process_time()
        w0 = time.perf_counter()
        try:
            result = func(*args, **kwargs)
        except MemoryError:
            conn.send(("bound", "memory", "MemoryError in the child"))
            return
        cpu = time.process_time() - t0
        wall = time.perf_counter() - w0
        rss_inc = max(0, _peak_rss() - rss0) / MiB
        if cpu > cpu_seconds:
            conn.send(("bound", "cpu", f"{cpu:.3f} s CPU > {cpu_seconds} s"))
        elif rss_inc > memory_mb:
            conn.send(("bound", "memory", f"peak RSS +{rss_inc:.0f} MB > {memory_mb} MB"))
        else:
            conn.send(("ok", result, (cpu, rss_inc, wall)))
    except MemoryError:
        try:
            conn.send(("bound", "memory", "MemoryError in the child"))
        except Exception:
            pass
    except BaseException as exc:  # report everything, SystemExit included
        try:
            conn.send(
                (
                    "error",
                    type(exc).__qualname__,
                    str(exc),
                    getattr(exc, "reason", None) if isinstance(getattr(exc, "reason", None), str) else None,
                    traceback.format_exc(),
                )
            )
        except Exception:
            pass
    finally:
        try:
            conn.close()
        except Exception:
            pass


def run_bounded(
    func: Callable[..., Any],
    *args: Any,
    cpu_seconds: float = 2.0,
    memory_mb: float = 256,
    wall_seconds: float = 10.0,
    **kwargs: Any,
) -> Any:
    """Call ``func(*args, **kwargs)`` in a forked child under CPU, memory and wall bounds.

    Returns the function's return value.  Raises :class:`BoundExceeded` when the child
    was killed or went over a bound, :class:`ChildError` when the function raised.
    """
    global _last
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child,
        args=(send, func, args, kwargs, cpu_seconds, memory_mb),
        daemon=True,
    )
    start = time.monotonic()
    deadline = start + wall_seconds
    proc.start()
    send.close()
    message: Any = None
    try:
        if recv.poll(max(0.0, deadline - time.monotonic())):
            try:
                message = recv.recv()
            except (EOFError, OSError):
                message = None
        if message is None:
            proc.join(max(0.0, min(1.0, deadline - time.monotonic())))
            if proc.is_alive():
                proc.kill()
                proc.join()
                raise BoundExceeded("wall", f"over {wall_seconds} s")
        else:
            proc.join(max(1.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
    finally:
        recv.close()
        if proc.is_alive():
            proc.kill()
            proc.join()
    wall = time.monotonic() - start
    if message is None:
        code = proc.exitcode
        if code is not None and code < 0:
            sig = -code
            if sig in (signal.SIGXCPU, signal.SIGKILL) and _cpu_likely(cpu_seconds, wall):
                raise BoundExceeded("cpu", f"killed by signal {sig} after {wall:.2f} s")
            raise BoundExceeded("killed", f"signal {sig}")
        raise BoundExceeded("killed", f"child exited with code {code} and no result")
    tag = message[0]
    if tag == "ok":
        cpu, rss_inc, call_wall = message[2]
        _last = BoundedStats(cpu, rss_inc, call_wall)
        return message[1]
    if tag == "bound":
        raise BoundExceeded(message[1], message[2])
    _, type_name, text, reason, tb = message
    raise ChildError(type_name, text, reason, tb)


def _cpu_likely(cpu_seconds: float, wall: float) -> bool:
    # SIGXCPU/SIGKILL from RLIMIT_CPU can only come after at least cpu_seconds of CPU
    return wall >= min(cpu_seconds, 1.0) * 0.5
