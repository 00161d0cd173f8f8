"""No Step Functions task token in a notification's text or link (issue 15).

A task token answers the approval: whoever holds it can approve or reject the failover with one
`send-task-success`. Mail scanners fetch every link, messages get forwarded and chat logs are read
by many, so the token stays inside AWS: step 0 stores it beside a one-time id
(`failover/approval_store.py`) and the message carries only `/a/<id>`.

What the pack can see of a message is declared: a state machine task that publishes (SNS, SES,
an HTTP endpoint, EventBridge ...) with the token in its parameters; a Lambda or SSM template of a
link or text with a token placeholder; an API route or integration that reads a token from the
link; an EventBridge target that copies one into its input. Passing the token to a Lambda
(`lambda:invoke.waitForTaskToken`) is the server-side path and is not a finding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel

from .kit import Subject, first_messages, resource_policy
from .values import is_unknown, state_machine_definition

STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
LAMBDA = "aws:lambda/function:Function"
SSM_PARAMETER = "aws:ssm/parameter:Parameter"
HTTP_ROUTE = "aws:apigatewayv2/route:Route"
HTTP_INTEGRATION = "aws:apigatewayv2/integration:Integration"
REST_RESOURCE = "aws:apigateway/resource:Resource"
REST_METHOD = "aws:apigateway/method:Method"
REST_INTEGRATION = "aws:apigateway/integration:Integration"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
TYPES = (STATE_MACHINE, LAMBDA, SSM_PARAMETER, HTTP_ROUTE, HTTP_INTEGRATION, REST_RESOURCE, REST_METHOD,
         REST_INTEGRATION, EVENT_TARGET)

# Task resources that send text to people or to endpoints outside the account's control
# (any partition; with or without .sync/.waitForTaskToken).
_SENDS = re.compile(
    r"^arn:[\w-]+:states:::(?:sns:|http:invoke|events:putEvents|"
    r"aws-sdk:(?:sns|ses|sesv2|pinpoint\w*|chatbot|socialmessaging|eventbridge|connect\w*):)"
)

# A name that means "the task token" in a template, a path or a query: token, taskToken, task_token.
_TOKEN_NAME = r"(?:task[_-]?)?token"
_TEMPLATE_SLOT = re.compile(
    rf"(?i)(?:\{{\{{\s*{_TOKEN_NAME}\s*\}}\}}|\$?\{{\s*{_TOKEN_NAME}\s*\}}|%\(\s*{_TOKEN_NAME}\s*\)s"
    rf"|<\s*{_TOKEN_NAME}\s*>|[?&;]{_TOKEN_NAME}=)"
)
_PATH_PARAMETER = re.compile(rf"(?i)\{{\s*{_TOKEN_NAME}\+?\s*\}}")
_REQUEST_READ = re.compile(
    rf"(?i)(?:querystring|path|header|multivaluequerystring)\.{_TOKEN_NAME}\b"
    rf"|params\(\s*\)?\s*(?:\.\s*get\(\s*)?['\"]{_TOKEN_NAME}['\"]"
    rf"|\.get\(\s*['\"]{_TOKEN_NAME}['\"]"
)
_EVENT_PATH = re.compile(rf"(?i)(?:^|[.\[\]'\"])\s*{_TOKEN_NAME}\s*['\"\]]*$")

# ---------------------------------------------------------------- state machines

_SEGMENT = re.compile(r"\s*(?:\.\s*([A-Za-z_][\w]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")


def _segments(text: str, start: int) -> list[str]:
    names: list[str] = []
    while True:
        match = _SEGMENT.match(text, start)
        if match is None:
            return names
        names.append(match[1] or match[2])
        start = match.end()


def _reaches_token(path: list[str]) -> bool:
    """The context object, its Task, or Task.Token: each of them holds the token."""
    return not path or path == ["Task"] or path[:2] == ["Task", "Token"]


def references_token(expression: str, jsonata: bool = False) -> bool:
    """True when an expression can yield the task token, as the interpreter resolves it: in JSONPath
    (and intrinsics) the context object is `$$`; in JSONata it is `$states.context` (there `$$` is
    the state's input)."""
    context = r"\$states\s*\.\s*context\b" if jsonata else r"\$\$"
    return any(_reaches_token(_segments(expression, match.end()))
               for match in re.finditer(context, expression))


def _dynamic_strings(node: Any, path: str, jsonata: bool) -> Iterator[tuple[str, str]]:
    """(where, expression) for every value the interpreter evaluates in a state's parameters."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(value, str) and (str(key).endswith(".$") or (jsonata and "{%" in value)):
                yield here, value
            else:
                yield from _dynamic_strings(value, here, jsonata)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _dynamic_strings(value, f"{path}[{index}]", jsonata)
    elif isinstance(node, str) and jsonata and "{%" in node:
        yield path, node


def _states(document: Any, prefix: str, jsonata: bool) -> Iterator[tuple[str, dict[str, Any], bool]]:
    if not isinstance(document, dict):
        return
    jsonata = document.get("QueryLanguage", "JSONata" if jsonata else "JSONPath") == "JSONata"
    for name, state in (document.get("States") or {}).items():
        if not isinstance(state, dict):
            continue
        own = state.get("QueryLanguage", "JSONata" if jsonata else "JSONPath") == "JSONata"
        yield f"{prefix}{name}", state, own
        for index, branch in enumerate(state.get("Branches") or []):
            yield from _states(branch, f"{prefix}{name}.Branches[{index}].", own)
        for key in ("Iterator", "ItemProcessor"):
            yield from _states(state.get(key), f"{prefix}{name}.{key}.", own)


def _state_machine_findings(subject: Subject) -> Iterator[str]:
    document = state_machine_definition(subject.props)
    if document is None:
        return
    for name, state, jsonata in _states(document, "", False):
        resource = state.get("Resource")
        if state.get("Type") != "Task" or not isinstance(resource, str) or not _SENDS.match(resource):
            continue
        for key in ("Parameters", "Arguments"):
            for where, expression in _dynamic_strings(state.get(key), key, jsonata):
                if references_token(expression, jsonata):
                    yield (f"state {name} sends a message ({resource}) whose {where} carries the task "
                           f"token ({expression!r}). {_WHY}")


# ---------------------------------------------------------------- templates, routes, targets


def _strings(node: Any, path: str, keys: bool = False) -> Iterator[tuple[str, str]]:
    """(where, text) for every known string under `node`; with `keys`, object keys too (request
    parameter maps name what they read in their keys)."""
    if isinstance(node, str) and not is_unknown(node):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if keys and isinstance(key, str):
                yield here, key
            yield from _strings(value, here, keys)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, f"{path}[{index}]", keys)


def _template_findings(subject: Subject) -> Iterator[str]:
    if subject.type == LAMBDA:
        environment = subject.props.get("environment")
        values = _strings(environment.get("variables") if isinstance(environment, dict) else None,
                          "environment.variables")
    else:
        values = _strings(subject.props.get("value"), "value")
    for where, text in values:
        if _TEMPLATE_SLOT.search(text):
            yield f"{where} is a link or text template with a task token slot ({text!r}). {_WHY}"


def _route_findings(subject: Subject) -> Iterator[str]:
    if subject.type == HTTP_ROUTE:
        places = [("routeKey", subject.props.get("routeKey")),
                  *_strings(subject.props.get("requestParameters"), "requestParameters", keys=True)]
    elif subject.type == REST_RESOURCE:
        places = [("pathPart", subject.props.get("pathPart"))]
    elif subject.type == REST_METHOD:
        places = list(_strings(subject.props.get("requestParameters"), "requestParameters", keys=True))
    else:  # integrations: what they read from the request and hand on
        places = [*_strings(subject.props.get("requestParameters"), "requestParameters", keys=True),
                  *_strings(subject.props.get("requestTemplates"), "requestTemplates")]
    for where, text in places:
        if not isinstance(text, str) or is_unknown(text):
            continue
        if _PATH_PARAMETER.search(text) or _REQUEST_READ.search(text):
            yield (f"{where} takes a task token from the request ({text!r}): the link itself would "
                   f"carry it. {_WHY}")


def _event_target_findings(subject: Subject) -> Iterator[str]:
    transformer = subject.props.get("inputTransformer")
    paths = transformer.get("inputPaths") if isinstance(transformer, dict) else None
    for key, path in (paths.items() if isinstance(paths, dict) else ()):
        if isinstance(path, str) and not is_unknown(path) and _EVENT_PATH.search(path):
            yield (f"inputTransformer.inputPaths.{key} copies a task token ({path!r}) into what the "
                   f"target receives. {_WHY}")
    text = subject.props.get("input")
    if isinstance(text, str) and not is_unknown(text):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        for where, expression in _dynamic_strings(document, "input", False):
            if references_token(expression):
                yield f"{where} carries the task token ({expression!r}). {_WHY}"


_WHY = ("Whoever sees the message (a forwarded mail, a link scanner, a chat log) could approve or "
        "reject the failover with it. Keep the token in AWS: store it beside a one-time id "
        "(failover/approval_store.py) and send only the approval page link /a/<id>.")

_BY_TYPE = {
    STATE_MACHINE: _state_machine_findings,
    LAMBDA: _template_findings,
    SSM_PARAMETER: _template_findings,
    HTTP_ROUTE: _route_findings,
    REST_RESOURCE: _route_findings,
    REST_METHOD: _route_findings,
    HTTP_INTEGRATION: _route_findings,
    REST_INTEGRATION: _route_findings,
    EVENT_TARGET: _event_target_findings,
}


def _findings(subject: Subject) -> Iterator[str]:
    return first_messages(_BY_TYPE[subject.type](subject))


POLICY = resource_policy(
    name="no-task-token-in-notifications",
    description=("No Step Functions task token in a notification's text or link: not in a publishing "
                 "task's parameters, a link or text template, an API route or an event target. "
                 "Mandatory: a leaked token approves the failover (issue 15)."),
    level=EnforcementLevel.MANDATORY,
    types=TYPES,
    rule=_findings,
)
