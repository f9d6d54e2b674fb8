"""The init phase of the Python runtime: finding and importing the handler module, and how an
import that fails or ends the process is reported (``Runtime.ImportModuleError``,
``Runtime.HandlerNotFound``, ``Runtime.ExitError``)."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any, Final, NoReturn

from lambdachaos._errors import ConfigError
from lambdachaos.service.invoke import _contain
from lambdachaos.service.invoke._handler_time import InvocationDeadline
from lambdachaos.service.invoke._payloads import exit_payload, format_trace

_import_lock = threading.Lock()


SIGNAL_INTERRUPT: Final = "signal: interrupt"
"""How Lambda reports a Python process ended by an uncaught ``KeyboardInterrupt`` (it re-raises SIGINT)."""


class ProcessExit(BaseException):
    """Raised in place of ``os._exit(code)`` while a module is imported, so the test process survives."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _exit_instead(status: int) -> NoReturn:
    raise ProcessExit(status)


class InitError(Exception):
    """The init phase failed; carries the AWS error type and message.

    ``exit_code`` is set when the module's code ended the runtime process (``sys.exit``,
    ``KeyboardInterrupt``...): the invocation then reports ``Runtime.ExitError`` with its request id.
    """

    def __init__(self, error_type: str, message: str, trace: list[str], *, exit_code: object = None,
                 exited: bool = False) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace
        self.exited = exited
        self.exit_code = exit_code

    def payload(self, request_id: str) -> dict[str, Any]:
        """The response of the invocation whose init failed (an init error's ``requestId`` is ``""``)."""
        if self.exited and self.exit_code == SIGNAL_INTERRUPT:
            return {"errorType": "Runtime.ExitError",
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {SIGNAL_INTERRUPT}"}
        if self.exited:
            return exit_payload(request_id, self.exit_code)
        return {"errorMessage": self.message, "errorType": self.error_type, "requestId": "",
                "stackTrace": self.trace}


def _split_handler(handler: str) -> tuple[str, str]:
    module, _, func = handler.rpartition(".")
    if not module or not func:
        raise ConfigError(
            f"handler={handler!r} is not of the form 'module.function' (Handler, e.g. 'app.handler' "
            "for def handler in app.py)"
        )
    return module.replace("/", "."), func


def check_handler_string(handler: str) -> None:
    """Validate the shape of a ``"module.function"`` handler string."""
    _split_handler(handler)


def load_handler(
    handler: str, code_dir: str | None, *, isolated: bool, namespace: dict[str, ModuleType] | None = None
) -> tuple[Callable[..., Any], ModuleType]:
    """Run the init phase: execute the handler module's code and find the handler function.

    Module-level code runs every time (once per execution environment). With ``namespace`` (a
    function with a code folder, whose import path and own modules are already in place) the module
    is taken from, or added to, that namespace: a new module object unless ``isolated`` is false and
    the namespace already holds one. Without it the module is found on the process's ``sys.path``
    (``code_dir`` prepended): with ``isolated`` each environment gets its own module object, otherwise
    the module in ``sys.modules`` is re-executed. Raises :class:`InitError` with AWS's
    ``Runtime.ImportModuleError``/``Runtime.HandlerNotFound``/``Runtime.ExitError``.
    """
    module_name, func_name = _split_handler(handler)
    with _import_lock:
        if namespace is None and code_dir is not None and code_dir not in sys.path:
            sys.path.insert(0, code_dir)
        try:
            spec = importlib.util.find_spec(module_name)
        except (ImportError, ValueError) as exc:
            raise InitError(
                "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}", []
            ) from None
        if spec is None or spec.loader is None:
            raise InitError(
                "Runtime.ImportModuleError",
                f"Unable to import module '{module_name}': No module named '{module_name}'",
                [],
            )
        if namespace is not None:
            existing = None if isolated else namespace.get(module_name)
            module = importlib.util.module_from_spec(spec) if existing is None else existing
            sys.modules[module_name] = module
            fresh = True
        else:
            existing = sys.modules.get(module_name)
            module = importlib.util.module_from_spec(spec) if isolated or existing is None else existing
            if not isolated:
                sys.modules[module_name] = module
            fresh = not isolated and existing is None
        real_exit = os._exit
        os._exit = _exit_instead
        try:
            spec.loader.exec_module(module)
        except ImportError as exc:
            _forget(module_name, fresh)
            raise InitError(
                "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}", []
            ) from None
        except SyntaxError as exc:
            _forget(module_name, fresh)
            raise InitError(
                "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", []
            ) from None
        except InvocationDeadline:
            raise
        except Exception as exc:
            _forget(module_name, fresh)
            trace = format_trace(exc)
            raise InitError(type(exc).__name__, _contain.safe_str(exc), trace) from None
        except (SystemExit, ProcessExit) as exc:  # sys.exit()/os._exit() in module code end the process
            _forget(module_name, fresh)
            raise InitError("Runtime.ExitError", "", [], exit_code=exc.code, exited=True) from None
        except KeyboardInterrupt:
            _forget(module_name, fresh)
            raise InitError("Runtime.ExitError", "", [], exit_code=SIGNAL_INTERRUPT, exited=True) from None
        except BaseException:  # any other uncaught BaseException: traceback, exit status 1
            _forget(module_name, fresh)
            raise InitError("Runtime.ExitError", "", [], exit_code=1, exited=True) from None
        finally:
            os._exit = real_exit
    func = getattr(module, func_name, None)
    if not callable(func):
        raise InitError(
            "Runtime.HandlerNotFound", f"Handler '{func_name}' missing on module '{module_name}'", []
        )
    return func, module


def _forget(module_name: str, fresh: bool) -> None:
    if fresh:
        sys.modules.pop(module_name, None)

