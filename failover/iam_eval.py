"""A small IAM policy evaluator for identity policies: is `action` on `resource` allowed?

The doctor would ask IAM (`iam:SimulatePrincipalPolicy`), but moto does not implement that call,
and the readiness Lambda would need one more permission for it. The evaluation here follows the
documented identity-policy logic for what our policies use: an explicit Deny wins, else any
Allow, else implicit deny; `Action`/`NotAction` and `Resource`/`NotResource` with `*` and `?`
wildcards (actions case-insensitive); conditions `StringEquals`, `StringNotEquals`, `StringLike`,
`StringNotLike`, `ArnEquals`, `ArnLike`, `ArnNotEquals`, `ArnNotLike`, `Bool` (each with
`...IfExists`), evaluated against the context keys the caller supplies. A missing key fails the
condition (as in the IAM simulator), an operator not listed here too (conservative for an
Allow). Not modelled: permissions boundaries, SCPs, session policies, resource policies.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

_OPERATORS = ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "ArnEquals",
              "ArnLike", "ArnNotEquals", "ArnNotLike", "Bool")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _glob(pattern: str, value: str, case_insensitive: bool = False) -> bool:
    if case_insensitive:
        pattern, value = pattern.lower(), value.lower()
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _condition_holds(operator: str, key: str, wanted: list[str], context: Mapping[str, Any]) -> bool:
    base = operator.removesuffix("IfExists")
    if key not in context and key.lower() not in {k.lower() for k in context}:
        return operator.endswith("IfExists")
    actual = next(v for k, v in context.items() if k.lower() == key.lower())
    values = _as_list(actual)
    if base not in _OPERATORS:
        return False
    negated = "Not" in base
    if base == "Bool":
        return any(v.lower() == w.lower() for v in values for w in wanted)
    like = base.endswith("Like") or base.startswith("Arn")
    matched = any((_glob(w, v) if like else v == w) for v in values for w in wanted)
    return not matched if negated else matched


def _conditions_hold(condition: Mapping[str, Any] | None, context: Mapping[str, Any]) -> bool:
    for operator, block in (condition or {}).items():
        for key, wanted in dict(block).items():
            if not _condition_holds(operator, key, _as_list(wanted), context):
                return False
    return True


def _matches(statement: Mapping[str, Any], action: str, resource: str) -> bool:
    if "Action" in statement:
        action_ok = any(_glob(a, action, case_insensitive=True) for a in _as_list(statement["Action"]))
    else:
        action_ok = not any(_glob(a, action, case_insensitive=True)
                            for a in _as_list(statement.get("NotAction")))
    if not action_ok:
        return False
    if "Resource" in statement:
        return any(_glob(r, resource) for r in _as_list(statement["Resource"]))
    return not any(_glob(r, resource) for r in _as_list(statement.get("NotResource")))


def statements(documents: Iterable[Any]) -> list[dict[str, Any]]:
    """Statements of policy documents given as dicts, JSON text or URL-encoded JSON (IAM's GET
    answers encode them)."""
    found: list[dict[str, Any]] = []
    for document in documents:
        if isinstance(document, str):
            text = document if document.lstrip().startswith("{") else urllib.parse.unquote(document)
            document = json.loads(text)
        body = document.get("Statement", [])
        found.extend(body if isinstance(body, list) else [body])
    return found


def decide(policy_statements: list[dict[str, Any]], action: str, resource: str,
           context: Mapping[str, Any] | None = None) -> str:
    """"allowed", "explicitDeny" or "implicitDeny", like the simulator's EvalDecision."""
    context = context or {}
    allowed = False
    for statement in policy_statements:
        if not _matches(statement, action, resource) or not _conditions_hold(
                statement.get("Condition"), context):
            continue
        if statement.get("Effect") == "Deny":
            return "explicitDeny"
        if statement.get("Effect") == "Allow":
            allowed = True
    return "allowed" if allowed else "implicitDeny"


def role_statements(iam: Any, role: str) -> list[dict[str, Any]]:
    """Every identity-policy statement of `role`: inline policies and attached managed ones."""
    documents: list[Any] = []
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role):
        for policy_name in page.get("PolicyNames", []):
            documents.append(iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"])
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role):
        for attached in page.get("AttachedPolicies", []):
            policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
            version = iam.get_policy_version(PolicyArn=attached["PolicyArn"],
                                             VersionId=policy["DefaultVersionId"])
            documents.append(version["PolicyVersion"]["Document"])
    return statements(documents)

