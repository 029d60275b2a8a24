"""sensu-settings' rules and validators (lib/sensu/settings/rules.rb, validators/{check,client,time_window,api,
transport}.rb) and the API's use of them (lib/sensu/api/validators/{client,check}.rb).

The same validators serve two masters: the settings loader records every failure and goes on (`Collect`), the API
stops at the first (`Stop`: a 400). The API's client validator includes the client module but not the check module,
so a client with a valid `keepalive` hash reaches a check validator method its class lacks: NoMethodError, a 500
(`MissingValidator`)."""

from __future__ import annotations

import re
from typing import Any

from .ruby import is_integer, is_numeric, matches, rx, truthy

NAME = rx(r"\A[\w.-]+\Z")
SOURCE = rx(r"\A[\w.-]*(:{3}[\w|.-]+:{3}[\w.-]*|[\w.-]+)\Z")
AGGREGATE = rx(r"\A[\w.:|-]+\Z")
SEVERITIES = ("ok", "warning", "critical", "unknown")
DAYS = ("all", "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
VIXIE = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
NAMES = ("jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", "sun|mon|tue|wed|thu|fri|sat")
CRON_ELEMENT = re.compile(r"\*(/\d+)?\Z|\d+(-\d+(/\d+)?)?\Z")


class Invalid(Exception):
    """The API's validators raise at the first failure."""


class MissingValidator(Exception):
    """NoMethodError: the API's client validator calls a check validator it does not include."""


class Reporter:
    def invalid(self, subject: Any, message: str) -> None:
        raise NotImplementedError

    def need(self, ok: Any, subject: Any, message: str) -> None:
        """`ok || invalid(subject, message)`."""
        if not ok:
            self.invalid(subject, message)


class Stop(Reporter):
    def invalid(self, subject: Any, message: str) -> None:
        raise Invalid(message)


class Collect(Reporter):
    def __init__(self) -> None:
        self.failures: list[dict[str, Any]] = []

    def invalid(self, subject: Any, message: str) -> None:
        self.failures.append({"object": subject, "message": message})


# --- Rules (rules.rb) ---------------------------------------------------------------------------------------------


def is_hash(value: Any) -> bool:
    return isinstance(value, dict)


def is_array(value: Any) -> bool:
    return isinstance(value, list)


def is_string(value: Any) -> bool:
    return isinstance(value, str)


def is_boolean(value: Any) -> bool:
    return isinstance(value, bool)


def if_set(rule: Any, value: Any) -> bool:
    return value is None or rule(value)


def items_are_strings(value: list[Any], regex: re.Pattern[str] | None = None) -> bool:
    return all(isinstance(item, str) and item != "" and (regex is None or regex.search(item)) for item in value)


def either_set(*values: Any) -> bool:
    return any(value is not None for value in values)


def is_time(*values: Any) -> bool:
    """`Time.parse(value) rescue false`, approximated: a string with a digit in it (Time.parse takes almost any
    text with a number as a date or time)."""
    return all(isinstance(value, str) and re.search(r"\d", value) for value in values)


# --- Checks (validators/check.rb) ---------------------------------------------------------------------------------


def check_name(report: Reporter, check: dict[str, Any]) -> None:
    report.need(is_string(check.get("name")), check, "check name must be a string")
    report.need(matches(NAME, check.get("name")), check, "check name cannot contain spaces or special characters")


def check_execution(report: Reporter, check: dict[str, Any]) -> None:
    report.need(if_set(is_string, check.get("command")), check, "check command must be a string")
    report.need(if_set(is_string, check.get("extension")), check, "check extension must be a string")
    report.need(
        (check.get("command") is not None) != (check.get("extension") is not None),
        check,
        "either check command or extension must be set",
    )
    report.need(if_set(is_numeric, check.get("timeout")), check, "check timeout must be numeric")
    report.need(if_set(is_boolean, check.get("stdin")), check, "check stdin must be boolean")


def check_source(report: Reporter, check: dict[str, Any]) -> None:
    if is_string(check.get("source")):
        report.need(
            matches(SOURCE, check["source"]),
            check,
            "check source cannot contain spaces, special characters, or invalid tokens",
        )
    else:
        report.invalid(check, "check source must be a string")


def cron_ok(text: str) -> bool:
    """parse-cron 0.1.4, approximated: five fields (or a Vixie `@daily`-style line) of `*`, `*/n`, `n`, `n-m`,
    `n-m/s` and month or day names, comma-separated."""
    text = VIXIE.get(text.strip(), text)
    fields = text.split()
    if len(fields) < 5:
        return False
    for index, field in enumerate(fields[:5]):
        for element in field.split(","):
            if index >= 3:
                element = re.sub(NAMES[index - 3], "0", element, flags=re.IGNORECASE)
            if not CRON_ELEMENT.match(element):
                return False
    return True


def check_cron(report: Reporter, check: dict[str, Any]) -> None:
    if not is_string(check.get("cron")):
        report.invalid(check, "check cron must be a string")
    elif not cron_ok(check["cron"]):
        report.invalid(check, "check cron string must use the cron syntax")


def check_scheduling(report: Reporter, check: dict[str, Any]) -> None:
    report.need(if_set(is_boolean, check.get("publish")), check, "check publish must be boolean")
    if check.get("publish") is not False:
        if truthy(check.get("cron")):
            check_cron(report, check)
        else:
            interval = check.get("interval")
            report.need(
                is_integer(interval) and interval > 0, check, "check interval must be an integer greater than 0"
            )
    report.need(if_set(is_boolean, check.get("standalone")), check, "check standalone must be boolean")
    if not truthy(check.get("standalone")):
        if is_array(check.get("subscribers")):
            report.need(items_are_strings(check["subscribers"]), check, "check subscribers must each be a string")
        else:
            report.invalid(check, "check subscribers must be an array")


def check_proxy_requests(report: Reporter, check: dict[str, Any]) -> None:
    proxy = check.get("proxy_requests")
    if not is_hash(proxy):
        report.invalid(check, "check proxy_requests must be a hash")
        return
    report.need(is_hash(proxy.get("client_attributes")), check, "check proxy_requests client_attributes must be a hash")
    report.need(if_set(is_boolean, proxy.get("splay")), check, "check proxy_requests splay must be boolean")
    coverage = proxy.get("splay_coverage")
    if truthy(coverage):
        report.need(
            is_integer(coverage) and 0 < coverage < 100,
            check,
            "check proxy_requests splay_coverage must be an integer greater than 0 and less than 100",
        )


def check_handling(report: Reporter, check: dict[str, Any]) -> None:
    report.need(if_set(is_string, check.get("handler")), check, "check handler must be a string")
    report.need(if_set(is_array, check.get("handlers")), check, "check handlers must be an array")
    if is_array(check.get("handlers")):
        report.need(items_are_strings(check["handlers"]), check, "check handlers must each be a string")


def check_ttl(report: Reporter, check: dict[str, Any]) -> None:
    if is_integer(check.get("ttl")):
        report.need(check["ttl"] > 0, check, "check ttl must be greater than 0")
    else:
        report.invalid(check, "check ttl must be an integer")
    report.need(if_set(is_integer, check.get("ttl_status")), check, "check ttl_status must be an integer")


def check_aggregate(report: Reporter, check: dict[str, Any]) -> None:
    if truthy(check.get("aggregates")):
        if is_array(check["aggregates"]):
            report.need(
                items_are_strings(check["aggregates"], AGGREGATE),
                check,
                "check aggregates items must be strings without spaces or special characters",
            )
        else:
            report.invalid(check, "check aggregates must be an array")
    aggregate = check.get("aggregate")
    if truthy(aggregate):
        if is_string(aggregate):
            report.need(
                matches(AGGREGATE, aggregate), check, "check aggregate cannot contain spaces or special characters"
            )
        else:
            report.need(is_boolean(aggregate), check, "check aggregate must be a string (name) or boolean")


def check_flap_detection(report: Reporter, check: dict[str, Any]) -> None:
    if either_set(check.get("low_flap_threshold"), check.get("high_flap_threshold")):
        report.need(is_integer(check.get("low_flap_threshold")), check, "check low flap threshold must be an integer")
        report.need(is_integer(check.get("high_flap_threshold")), check, "check high flap threshold must be an integer")


def check_hooks(report: Reporter, check: dict[str, Any]) -> None:
    hooks = check.get("hooks")
    if not is_hash(hooks):
        report.invalid(check, "check hooks must be a hash")
        return
    statuses = {str(status) for status in range(256)}
    for key, hook in hooks.items():
        report.need(
            key in SEVERITIES or key in statuses or key == "non-zero",
            check,
            "check hook key must be a severity, status, or 'non-zero'",
        )
        hook = hook if is_hash(hook) else {}  # the real validator raises on a hook that is not a hash
        report.need(is_string(hook.get("command")), check, "check hook command must be a string")
        report.need(if_set(is_numeric, hook.get("timeout")), check, "check hook timeout must be numeric")
        report.need(if_set(is_boolean, hook.get("stdin")), check, "check hook stdin must be boolean")


def check_truncate_output(report: Reporter, check: dict[str, Any]) -> None:
    report.need(if_set(is_boolean, check.get("truncate_output")), check, "check truncate_output must be boolean")
    length = check.get("truncate_output_length")
    if truthy(length):
        report.need(
            is_integer(length) and length > 0, check, "check truncate_output_length must be an integer greater than 0"
        )


def time_windows(report: Reporter, definition: dict[str, Any], scope: str, attribute: str) -> None:
    """validators/time_window.rb."""
    prefix = f"{scope} {attribute}"
    windows = definition.get(attribute)
    if not is_hash(windows):
        report.invalid(definition, f"{prefix} must be a hash")
        return
    days = windows.get("days")
    if not is_hash(days):
        report.invalid(definition, f"{prefix} days must be a hash")
        return
    if not days:
        report.invalid(definition, f"{prefix} days must include at least one day of the week or 'all'")
        return
    if not all(day in DAYS for day in days):
        report.invalid(definition, f"{prefix} days must be valid days of the week or 'all'")
        return
    for day, conditions in days.items():
        if not is_array(conditions):
            report.invalid(definition, f"{prefix} days {day} must be in an array")
        elif not conditions:
            report.invalid(definition, f"{prefix} days {day} must include at least one time window")
        for condition in conditions if is_array(conditions) else ():
            if not is_hash(condition):
                report.invalid(definition, f"{prefix} day time window must be a hash")
            elif not is_time(condition.get("begin"), condition.get("end")):
                report.invalid(definition, f"{prefix} day time window begin and end times must be valid")


def validate_check(report: Reporter, check: dict[str, Any]) -> None:
    """A check definition of the settings (`validate_check`)."""
    check_name(report, check)
    check_execution(report, check)
    if truthy(check.get("source")):
        check_source(report, check)
    check_scheduling(report, check)
    if truthy(check.get("proxy_requests")):
        check_proxy_requests(report, check)
    check_handling(report, check)
    if truthy(check.get("ttl")):
        check_ttl(report, check)
    check_aggregate(report, check)
    check_flap_detection(report, check)
    if truthy(check.get("hooks")):
        check_hooks(report, check)
    check_truncate_output(report, check)
    if truthy(check.get("subdue")):
        time_windows(report, check, "check", "subdue")


def valid_check_result(check: dict[str, Any]) -> bool:
    """POST /results (lib/sensu/api/validators/check.rb: validate_check_result)."""
    report = Stop()
    try:
        report.need(is_string(check.get("output")), check, "check output must be a string")
        report.need(is_integer(check.get("status")), check, "check status must be an integer")
        report.need(is_integer(check.get("executed")), check, "check executed timestamp must be an integer")
        check_name(report, check)
        check_handling(report, check)
        check_aggregate(report, check)
        check_flap_detection(report, check)
        check_truncate_output(report, check)
        if truthy(check.get("source")):
            check_source(report, check)
        if truthy(check.get("ttl")):
            check_ttl(report, check)
    except Invalid:
        return False
    return True


# --- Clients (validators/client.rb) -------------------------------------------------------------------------------


def _handlers(report: Reporter, client: dict[str, Any], scope: str) -> None:
    definition = client[scope]
    report.need(if_set(is_string, definition.get("handler")), client, f"client {scope} handler must be a string")
    report.need(if_set(is_array, definition.get("handlers")), client, f"client {scope} handlers must be an array")
    if is_array(definition.get("handlers")):
        report.need(items_are_strings(definition["handlers"]), client, f"client {scope} handlers must each be a string")


def _socket(report: Reporter, client: dict[str, Any]) -> None:
    socket = client.get("socket")
    report.need(if_set(is_hash, socket), client, "client socket must be a hash")
    if is_hash(socket):
        report.need(if_set(is_boolean, socket.get("enabled")), client, "client socket enabled must be a boolean")
        report.need(if_set(is_string, socket.get("bind")), client, "client socket bind must be a string")
        report.need(if_set(is_integer, socket.get("port")), client, "client socket port must be an integer")


def _http_socket(report: Reporter, client: dict[str, Any]) -> None:
    socket = client.get("http_socket")
    report.need(if_set(is_hash, socket), client, "client http_socket must be a hash")
    if not is_hash(socket):
        return
    report.need(if_set(is_boolean, socket.get("enabled")), client, "client http_socket enabled must be boolean")
    report.need(if_set(is_string, socket.get("bind")), client, "client http_socket bind must be a string")
    report.need(if_set(is_integer, socket.get("port")), client, "client http_socket port must be an integer")
    if either_set(socket.get("user"), socket.get("password")):
        report.need(is_string(socket.get("user")), client, "client http_socket user must be a string")
        report.need(is_string(socket.get("password")), client, "client http_socket password must be a string")
    report.need(
        if_set(is_boolean, socket.get("protect_all_endpoints")),
        client,
        "client http_socket protect_all_endpoints must be boolean",
    )


def _keepalive(report: Reporter, client: dict[str, Any], check_validators: bool) -> None:
    keepalive = client.get("keepalive")
    report.need(if_set(is_hash, keepalive), client, "client keepalive must be a hash")
    if not is_hash(keepalive):
        return
    _handlers(report, client, "keepalive")
    thresholds = keepalive.get("thresholds")
    report.need(if_set(is_hash, thresholds), client, "client keepalive thresholds must be a hash")
    if is_hash(thresholds):
        report.need(
            if_set(is_integer, thresholds.get("warning")),
            client,
            "client keepalive warning threshold must be an integer",
        )
        report.need(
            if_set(is_integer, thresholds.get("critical")),
            client,
            "client keepalive critical threshold must be an integer",
        )
    if not check_validators:
        raise MissingValidator("undefined method `validate_check_aggregate' for Sensu::API::Validators::Client")
    if truthy(keepalive.get("source")):
        check_source(report, keepalive)
    check_aggregate(report, keepalive)
    check_flap_detection(report, keepalive)


def _registration(report: Reporter, client: dict[str, Any], scope: str) -> None:
    definition = client.get(scope)
    report.need(if_set(is_hash, definition), client, f"client {scope} must be a hash")
    if is_hash(definition):
        _handlers(report, client, scope)
        report.need(if_set(is_integer, definition.get("status")), client, f"client {scope} status must be an integer")


def validate_client(report: Reporter, client: Any, *, check_validators: bool = True) -> None:
    """`validate_client`; with `check_validators` False as the API's validator class has it (see the module)."""
    if not is_hash(client):
        report.invalid(client, "client must be a hash")
        return
    report.need(is_string(client.get("name")), client, "client name must be a string")
    report.need(matches(NAME, client.get("name")), client, "client name cannot contain spaces or special characters")
    report.need(is_string(client.get("address")), client, "client address must be a string")
    report.need(if_set(is_boolean, client.get("safe_mode")), client, "client safe_mode must be boolean")
    if is_array(client.get("subscriptions")):
        report.need(
            items_are_strings(client["subscriptions"]), client, "client subscriptions must each be a non empty string"
        )
    else:
        report.invalid(client, "client subscriptions must be an array")
    _socket(report, client)
    _http_socket(report, client)
    report.need(if_set(is_boolean, client.get("keepalives")), client, "client keepalives must be boolean")
    _keepalive(report, client, check_validators)
    report.need(if_set(is_array, client.get("redact")), client, "client redact must be an array")
    if is_array(client.get("redact")):
        report.need(items_are_strings(client["redact"]), client, "client redact keys must each be a string")
    report.need(if_set(is_string, client.get("signature")), client, "client signature must be a string")
    _registration(report, client, "registration")
    _registration(report, client, "deregistration")


def valid_api_client(client: dict[str, Any]) -> bool:
    """POST /clients: the API's validator, stopping at the first failure (MissingValidator escapes)."""
    try:
        validate_client(Stop(), client, check_validators=False)
    except Invalid:
        return False
    return True


# --- Settings scopes (validators/{transport,api}.rb) --------------------------------------------------------------


def validate_transport(report: Reporter, transport: Any) -> None:
    if not is_hash(transport):
        report.invalid(transport, "transport must be a hash")
        return
    report.need(is_string(transport.get("name")), transport, "transport name must be a string")
    report.need(
        if_set(is_boolean, transport.get("reconnect_on_error")),
        transport,
        "transport reconnect_on_error must be boolean",
    )


def validate_api(report: Reporter, api: Any) -> None:
    report.need(if_set(is_hash, api), api, "api must be a hash")
    if not is_hash(api):
        return
    report.need(if_set(is_integer, api.get("port")), api, "api port must be an integer")
    report.need(if_set(is_string, api.get("bind")), api, "api bind must be a string")
    if either_set(api.get("user"), api.get("password")):
        report.need(is_string(api.get("user")), api, "api user must be a string")
        report.need(is_string(api.get("password")), api, "api password must be a string")
    endpoints = api.get("endpoints")
    if not truthy(endpoints):
        return
    if not is_array(endpoints):
        report.invalid(api, "api endpoints must be an array")
        return
    for endpoint in endpoints:
        if not is_hash(endpoint):
            report.invalid(api, "api endpoints must each be a hash")
        elif truthy(endpoint.get("url")):
            report.need(is_string(endpoint["url"]), api, "api endpoint url must be a string")
        else:
            report.need(is_string(endpoint.get("host")), api, "api endpoint host must be a string")
            report.need(is_integer(endpoint.get("port")), api, "api endpoint port must be an integer")
            report.need(if_set(is_boolean, endpoint.get("ssl")), api, "api endpoint ssl must be a boolean")
