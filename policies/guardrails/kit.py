"""Small glue between pulumi_policy's callbacks and rule functions that work on plain data.

A rule is a generator: it takes a `Subject` (one resource, properties already plain and
unknown-aware) or the list of the stack's subjects, and yields one message per violation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from .context import region_of, role_of, stack_of
from .values import plain


@dataclass(frozen=True)
class Subject:
    type: str
    name: str
    urn: str
    props: dict[str, Any]
    region: str | None
    role: str | None
    stack: str
    ignore_changes: tuple[str, ...] = ()
    parent_urn: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)


ResourceRule = Callable[[Subject], Iterable[str]]
StackRule = Callable[[list[Subject], Mapping[str, Any]], Iterable[tuple[str, str]]]


def _subject(type_: str, props: Any, urn: str, name: str, provider: Any, opts: Any,
             config: Mapping[str, Any], parent: str | None = None, dependencies: Iterable[str] = (),
             property_dependencies: Mapping[str, Iterable[str]] | None = None) -> Subject:
    return Subject(
        type=type_, name=name, urn=urn, props=plain(props) or {}, region=region_of(provider),
        role=role_of(urn), stack=stack_of(urn),
        ignore_changes=tuple(opts.ignore_changes or ()) if opts is not None else (),
        parent_urn=parent or (opts.parent if opts is not None else None),
        dependencies=tuple(dependencies),
        property_dependencies={k: tuple(v) for k, v in (property_dependencies or {}).items()},
        config=config,
    )


def resource_policy(name: str, description: str, level: EnforcementLevel, types: Iterable[str],
                    rule: ResourceRule, config_schema: PolicyConfigSchema | None = None,
                    remediation_steps: str | None = None) -> ResourceValidationPolicy:
    wanted = frozenset(types)

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in wanted:
            return
        subject = _subject(args.resource_type, args.props, args.urn, args.name, args.provider,
                           args.opts, args.get_config() or {})
        for message in rule(subject):
            report(message, None)

    return ResourceValidationPolicy(name=name, description=description, validate=validate,
                                    enforcement_level=level, config_schema=config_schema,
                                    remediation_steps=remediation_steps)


def stack_policy(name: str, description: str, level: EnforcementLevel, rule: StackRule,
                 config_schema: PolicyConfigSchema | None = None,
                 remediation_steps: str | None = None) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        config = args.get_config() or {}
        subjects = [
            _subject(r.resource_type, r.props, r.urn, r.name, r.provider, r.opts, config,
                     parent=r.parent.urn if r.parent is not None else None,
                     dependencies=[d.urn for d in r.dependencies],
                     property_dependencies={k: [d.urn for d in v]
                                            for k, v in r.property_dependencies.items()})
            for r in args.resources
        ]
        for message, urn in rule(subjects, config):
            report(message, urn or None)

    return StackValidationPolicy(name=name, description=description, validate=validate,
                                 enforcement_level=level, config_schema=config_schema,
                                 remediation_steps=remediation_steps)


def first_messages(messages: Iterator[str], limit: int = 5) -> Iterator[str]:
    """At most `limit` messages from one rule on one resource, then a count of the rest."""
    extra = 0
    for index, message in enumerate(messages):
        if index < limit:
            yield message
        else:
            extra += 1
    if extra:
        yield f"... and {extra} more of the same kind."
