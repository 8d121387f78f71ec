"""The ``webleads`` command.

Exit codes: 0 success (skipped items are reported, not failures), 1 internal error, 2 usage or
configuration error, 3 a source failed while others ran, 4 privacy violation,
5 store error, 130 interrupted.  User errors print one line, never a traceback
(``--verbose`` adds it for debugging).
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable, Sequence

from ..errors import ConfigError, PluginError, PrivacyViolation, StoreError, WebleadsError
from . import commands

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_PARTIAL, EXIT_PRIVACY, EXIT_STORE, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 5, 130

EPILOG = """exit codes: 0 ok, 1 internal error, 2 usage or configuration error, 3 a source failed, 4 privacy violation,
5 store error, 130 interrupted.  Docs: docs/cli.md"""


def build_parser(pm=None) -> tuple[argparse.ArgumentParser, dict[str, Callable]]:
    parser = argparse.ArgumentParser(
        prog="webleads",
        description="Turn mailboxes, web pages and APIs into a scored database of business contacts.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output on stderr (-vv for debug and tracebacks)")
    parser.add_argument("--log-file", help="also write the log to this file")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    runners: dict[str, Callable] = {}
    for name, help_text, configure, runner in commands.BUILTIN:
        p = sub.add_parser(name, help=help_text, description=help_text,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        configure(p)
        runners[name] = runner
    if pm is not None:
        from ..engine.plugins import collect

        for reg in collect(pm).commands.values():
            if reg.name in runners:
                raise PluginError(f"plugin {reg.plugin!r} registers command {reg.name!r}, which exists")
            configure, runner = reg.extra
            p = sub.add_parser(reg.name, help=reg.obj, description=reg.obj)
            configure(p)
            runners[reg.name] = runner
    return parser, runners


def _setup_logging(verbose: int, log_file: str | None) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    root = logging.getLogger("webleads")
    root.setLevel(min(level, logging.INFO) if log_file else level)
    root.handlers.clear()
    h = logging.StreamHandler(sys.stderr)
    h.setLevel(level)
    h.setFormatter(logging.Formatter("webleads: %(levelname)s: %(message)s"))
    root.addHandler(h)
    if log_file:
        fh = logging.FileHandler(log_file, encoding="utf-8")
        fh.setLevel(min(level, logging.INFO))
        fh.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        root.addHandler(fh)
    root.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose = sum(a.count("v") for a in argv if a.startswith("-v") and set(a[1:]) == {"v"})
    verbose += argv.count("--verbose")
    try:
        from ..engine.plugins import create_plugin_manager

        pm = create_plugin_manager()
        parser, runners = build_parser(pm)
        args = parser.parse_args(argv)
        _setup_logging(args.verbose, args.log_file)
        if not args.command:
            parser.print_help()
            return EXIT_USAGE
        args.pm = pm
        return int(runners[args.command](args) or 0)
    except KeyboardInterrupt:
        print("webleads: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except PrivacyViolation as exc:
        return _fail(exc, EXIT_PRIVACY, verbose)
    except StoreError as exc:
        return _fail(exc, EXIT_STORE, verbose)
    except (ConfigError, PluginError, WebleadsError) as exc:
        return _fail(exc, EXIT_USAGE, verbose)
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        return _fail(exc, EXIT_USAGE, verbose, f"{exc.strerror or type(exc).__name__}: {exc.filename or ''}")
    except Exception as exc:  # a bug: say so in one line; the message may hold data, so only the type
        return _fail(exc, EXIT_INTERNAL, verbose,
                     f"internal error ({type(exc).__name__}); rerun with -vv for the traceback and report it")


def _fail(exc: BaseException, code: int, verbose: int, message: str | None = None) -> int:
    if verbose >= 2:
        import traceback

        traceback.print_exception(exc)
    print(f"webleads: error: {message or exc}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
