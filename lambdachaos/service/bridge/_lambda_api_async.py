"""Asynchronous invocation settings through boto3: Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s)
answered by the simulation through ``Function.put_event_invoke_config`` (one validation layer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lambdachaos.service.bridge._paging import page
from lambdachaos.service.invoke._errors import ResourceNotFoundException
from lambdachaos.service.invoke._function import LATEST, Function


class EventInvokeConfigs:
    """The event-invoke-config operations of :class:`lambdachaos.service.bridge._lambda_api.ControlPlane`."""

    _meta: dict[tuple[str, str], dict[str, Any]]

    def _split(self, p: dict[str, Any]) -> tuple[Function, str | None]:
        raise NotImplementedError

    def function(self, name_or_arn: str) -> Function:
        """The sim function (``ResourceNotFoundException`` otherwise)."""
        raise NotImplementedError

    def meta(self, fn: Function, version: str) -> dict[str, Any]:
        """Metadata of one version (or of another keyed item, such as an event invoke config)."""
        raise NotImplementedError

    def _event_invoke(self, fn: Function, qualifier: str | None) -> dict[str, Any]:
        cfg = fn.event_invoke_configs.get(qualifier or LATEST)
        if cfg is None:
            raise ResourceNotFoundException(
                f"The function {fn.arn}:{qualifier or LATEST} doesn't have an EventInvokeConfig")
        destinations: dict[str, Any] = {}
        for key, target in (("OnSuccess", cfg.on_success), ("OnFailure", cfg.on_failure)):
            destinations[key] = {} if target is None else {"Destination": target if isinstance(target, str)
                                                            else target.arn}
        return {"LastModified": self.meta(fn, f"eic:{qualifier or LATEST}")["LastModified"],
                "FunctionArn": f"{fn.arn}:{qualifier or LATEST}",
                "MaximumRetryAttempts": cfg.maximum_retry_attempts,
                "MaximumEventAgeInSeconds": cfg.maximum_event_age_in_seconds, "DestinationConfig": destinations}

    def _event_invoke_call(self, p: dict[str, Any], method: Callable[..., Any]) -> dict[str, Any]:
        fn, qualifier = self._split(p)
        settings: dict[str, Any] = {}
        if "MaximumRetryAttempts" in p:
            settings["maximum_retry_attempts"] = p["MaximumRetryAttempts"]
        if "MaximumEventAgeInSeconds" in p:
            settings["maximum_event_age_in_seconds"] = p["MaximumEventAgeInSeconds"]
        destinations = p.get("DestinationConfig") or {}
        for key, keyword in (("OnSuccess", "on_success"), ("OnFailure", "on_failure")):
            if key in destinations:
                settings[keyword] = (destinations[key] or {}).get("Destination")
        method(fn, qualifier, **settings)
        self._meta.pop((fn.name, f"eic:{qualifier or LATEST}"), None)
        return self._event_invoke(fn, qualifier)

    def put_function_event_invoke_config(self, p: dict[str, Any]) -> dict[str, Any]:
        """PutFunctionEventInvokeConfig: omitted settings reset to their defaults."""
        return self._event_invoke_call(p, lambda fn, q, **s: fn.put_event_invoke_config(q, **s))

    def update_function_event_invoke_config(self, p: dict[str, Any]) -> dict[str, Any]:
        """UpdateFunctionEventInvokeConfig: only the given settings change."""
        return self._event_invoke_call(p, lambda fn, q, **s: fn.update_event_invoke_config(q, **s))

    def get_function_event_invoke_config(self, p: dict[str, Any]) -> dict[str, Any]:
        """GetFunctionEventInvokeConfig."""
        fn, qualifier = self._split(p)
        return self._event_invoke(fn, qualifier)

    def delete_function_event_invoke_config(self, p: dict[str, Any]) -> dict[str, Any]:
        """DeleteFunctionEventInvokeConfig (204)."""
        fn, qualifier = self._split(p)
        self._event_invoke(fn, qualifier)
        del fn.event_invoke_configs[qualifier or LATEST]
        return {"ResponseMetadata": {"HTTPStatusCode": 204}}

    def list_function_event_invoke_configs(self, p: dict[str, Any]) -> dict[str, Any]:
        """ListFunctionEventInvokeConfigs."""
        fn = self.function(str(p["FunctionName"]))
        return page("ListFunctionEventInvokeConfigs", p, sorted(fn.event_invoke_configs), "FunctionEventInvokeConfigs",
                    lambda q: self._event_invoke(fn, None if q == LATEST else q))
