"""Turn a recorded program run (and policy results) into what `pulumi preview` would print."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from offline_preview.engine import UNKNOWN, ProgramRun, RecordedResource
from offline_preview.placeholders import label_of

STACK_TYPE = "pulumi:pulumi:Stack"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
UNKNOWN_SHOWN = "⟨unknown until deploy⟩"


@dataclass(frozen=True)
class PolicyFinding:
    policy: str
    level: str  # mandatory | advisory
    message: str
    resource: str  # resource name, "" for stack-level findings
    urn: str


@dataclass
class PolicyReport:
    pack: str
    findings: list[PolicyFinding] = field(default_factory=list)
    error: Optional[str] = None  # the pack could not run

    @property
    def mandatory(self) -> list[PolicyFinding]:
        return [f for f in self.findings if f.level == "mandatory"]


def short_type(token: str) -> str:
    """`aws:ec2/vpc:Vpc` is shown as `aws:ec2:Vpc`, like the Pulumi CLI does."""
    package, _, rest = token.partition(":")
    module, _, name = rest.partition(":")
    return f"{package}:{module.split('/')[0]}:{name}"


def shown(value: Any) -> Any:
    if value == UNKNOWN:
        return UNKNOWN_SHOWN
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shown(v) for v in value]
    return value


def user_data(run: ProgramRun) -> dict[str, str]:
    """Each launch template's user data, decoded from the base64 EC2 requires."""
    scripts = {}
    for resource in run.by_type(LAUNCH_TEMPLATE):
        encoded = resource.inputs.get("userData")
        label = label_of(resource.name, resource.inputs)
        if not isinstance(encoded, str) or encoded == UNKNOWN:
            scripts[label] = UNKNOWN_SHOWN
            continue
        try:
            scripts[label] = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            scripts[label] = f"(not valid base64: EC2 would reject it) {encoded[:60]}"
    return scripts


def detail(resource: RecordedResource, region: Optional[str] = None) -> str:
    """The one fact a reviewer looks for on the resources the runbooks are about."""
    i = resource.inputs
    if resource.type == "aws:dynamodb/table:Table":
        replicas = ", ".join(f"{r.get('regionName')}{' +PITR' if r.get('pointInTimeRecovery') else ''}"
                             for r in i.get("replicas") or [])
        return f"{i.get('name')}: replicas {replicas or 'none'}"
    if resource.type == "aws:route53/record:Record" and i.get("failoverRoutingPolicies"):
        kind = i["failoverRoutingPolicies"][0].get("type")
        alias = (i.get("aliases") or [{}])[0]
        check = f", health check {shown(i['healthCheckId'])}" if i.get("healthCheckId") else ""
        return f"{kind} {i.get('name')} -> alias {shown(alias.get('name'))}{check}"
    if resource.type == "aws:autoscaling/group:Group":
        template = i.get("launchTemplate") or {}
        return (f"{i.get('name')}: {template.get('version')}, min {i.get('minSize')} / desired "
                f"{i.get('desiredCapacity')} / max {i.get('maxSize')}")
    if resource.type == "aws:cloudwatch/metricAlarm:MetricAlarm":
        where = f" in {i.get('region') or region}" if (i.get("region") or region) else ""
        return f"{i.get('name')}: {i.get('namespace')} {i.get('metricName')}{where}"
    if resource.type == "aws:sfn/stateMachine:StateMachine":
        return str(i.get("name"))
    if resource.type == "pulumi:pulumi:StackReference":
        if str(i.get("name", "")).endswith(f"/{resource.urn.split('::')[0].split(':')[-1]}"):
            return f"outputs of {i.get('name')} (its previous deployment, for the day-two guard)"
        return f"outputs of {i.get('name')}"
    return ""


def _tree_rows(run: ProgramRun) -> list[tuple[str, RecordedResource]]:
    children: dict[str, list[RecordedResource]] = {}
    urns = {r.urn for r in run.resources}
    roots = []
    for resource in run.resources:
        if resource.parent and resource.parent in urns:
            children.setdefault(resource.parent, []).append(resource)
        else:
            roots.append(resource)
    rows: list[tuple[str, RecordedResource]] = []

    def walk(nodes: list[RecordedResource], prefix: str) -> None:
        for index, node in enumerate(nodes):
            last = index == len(nodes) - 1
            rows.append((prefix + ("└─ " if last else "├─ "), node))
            walk(children.get(node.urn, []), prefix + ("   " if last else "│  "))

    # Registration order depends on how Outputs resolve; sort siblings so the tree is stable.
    for siblings in children.values():
        siblings.sort(key=lambda r: r.name)
    walk(roots, "")
    return rows


def render_text(run: ProgramRun, policies: Optional[PolicyReport]) -> str:
    lines = [f"Previewing update ({run.stack}) offline: Pulumi's mock engine, no cloud calls, no credentials",
             "Values that exist only after deploy are shown as ⟨resource.property⟩.", ""]
    rows = _tree_rows(run)
    width = max([len(p) + len(short_type(r.type)) for p, r in rows] + [30]) + 2
    lines.append(f"     {'Type'.ljust(width)}Name")
    lines.append(f" +   {short_type(STACK_TYPE).ljust(width)}megaticket-dr-{run.stack}")
    name_width = max([len(r.name) for _, r in rows] + [0]) + 2
    for prefix, resource in rows:
        note = detail(resource, run.region_of(resource))
        op = ">" if resource.options.get("read") else "+"  # the CLI's marks for read and create
        row = f" {op}   {(prefix + short_type(resource.type)).ljust(width)}{resource.name}"
        lines.append(f"{row.ljust(5 + width + name_width)}{note}".rstrip() if note else row)
    lines += ["", "Outputs:"]
    key_width = max([len(k) for k in run.outputs] + [0]) + 1
    for key in sorted(run.outputs):
        value = json.dumps(shown(run.outputs[key]), ensure_ascii=False)
        lines.append(f"    {(key + ':').ljust(key_width)} {value}")
    lines += ["", "Resources:", f"    + {len(run.creates) + 1} to create"]
    if run.reads:
        lines.append(f"    > {len(run.reads)} to read")
    lines.append("")
    if run.warnings:
        lines += ["Warnings:", *(f"    warning: {w}" for w in run.warnings), ""]
    for label, script in user_data(run).items():
        lines += [f"User data of launch template {label}:", *("    " + s for s in script.splitlines()), ""]
    if policies is not None:
        lines += render_policies(policies)
    return "\n".join(lines).rstrip() + "\n"


def render_policies(policies: PolicyReport) -> list[str]:
    lines = [f"Policies ({policies.pack}):"]
    if policies.error:
        return lines + [f"    ✗ the policy pack did not run: {policies.error}"]
    if not policies.findings:
        return lines + ["    ✓ no violations"]
    for level in ("mandatory", "advisory"):
        found = [f for f in policies.findings if f.level == level]
        if not found:
            continue
        lines.append(f"    {level} ({len(found)}):")
        for finding in found:
            where = f" on {finding.resource}" if finding.resource else " on the stack"
            lines.append(f"      [{finding.policy}]{where}")
            lines += [f"        {line}" for line in finding.message.splitlines() if line.strip()]
    return lines


def render_json(run: ProgramRun, policies: Optional[PolicyReport]) -> str:
    document = {
        "stack": run.stack,
        "summary": {"create": len(run.creates) + 1, "read": len(run.reads)},
        "resources": [{"urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent,
                       "provider": r.provider, "id": r.id, "inputs": r.inputs, "options": r.options}
                      for r in run.resources],
        "outputs": run.outputs,
        "userData": user_data(run),
        "warnings": list(run.warnings),
        "policies": None if policies is None else {
            "pack": policies.pack, "error": policies.error,
            "mandatory": len(policies.mandatory),
            "advisory": len([f for f in policies.findings if f.level == "advisory"]),
            "violations": [asdict(f) for f in policies.findings],
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
