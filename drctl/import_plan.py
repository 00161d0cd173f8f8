"""`drctl import-plan`: adopt what the Terraform set-up already runs, as a Pulumi bulk-import file.

The file has the shape `pulumi import --file` reads (and `pulumi preview --import-file` writes):

    {"nameTable": {"<provider name>": "<provider URN>"},
     "resources": [{"type", "name", "component": true, "parent"?}  (the program's components)
                   {"type", "name", "id", "parent"?, "provider", "version"}, ...]}

- every custom resource found gets the program's type, its logical name as `name`, the id its
  type's import takes, its parent by name and its explicit provider through the name table;
- the program's components are entries with `"component": true` and no id, as Pulumi's own
  generator writes them: `pulumi import` (v3.94+) creates them empty, so children land under the
  parent URNs the program registers (a name-table entry would point at a component that is not in
  the state yet);
- the providers are referenced by URN through the name table: the explicit regional providers must
  be in the state first (docs/adopt.md: `pulumi up --target` on the two provider URNs; that
  creates no cloud resource);
- `version` pins the pulumi-aws plugin the program itself uses.

What is not in the file is in the report: not found (the first `pulumi up` creates it), a shape
that forces replacement or breaks the design, and resources under the stack's names that the
program does not declare. Each comes with its fix.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any

from botocore.exceptions import ClientError

from drctl.import_locate import (
    CANNOT,
    LOCATORS,
    REPLACE,
    Context,
    Found,
    Problem,
    UnresolvedError,
    says_not_found,
)
from drctl.import_program import Declared, Program


@dataclass(frozen=True)
class Entry:
    """One declared resource and what became of it."""

    type: str
    name: str
    urn: str
    status: str  # import | not-found | problem (not imported)
    id: str = ""
    problems: tuple[Problem, ...] = ()
    looked_for: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "name": self.name, "urn": self.urn, "status": self.status}
        if self.id:
            out["id"] = self.id
        if self.looked_for:
            out["lookedFor"] = self.looked_for
        if self.problems:
            out["problems"] = [asdict(p) for p in self.problems]
        return out


@dataclass(frozen=True)
class Unmanaged:
    type: str
    id: str
    problem: str
    fix: str


@dataclass
class ImportPlan:
    program: Program
    entries: list[Entry] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)

    @property
    def imports(self) -> list[Entry]:
        return [e for e in self.entries if e.status == "import"]

    @property
    def not_found(self) -> list[Entry]:
        return [e for e in self.entries if e.status == "not-found"]

    @property
    def problems(self) -> list[Entry]:
        return [e for e in self.entries if e.problems]

    def import_file(self) -> dict[str, Any]:
        return import_file(self.program, {e.urn: e.id for e in self.imports})

    def as_dict(self, path: str) -> dict[str, Any]:
        return {
            "stack": self.program.stack,
            "file": path,
            "ok": not self.problems,
            "counts": {
                "declared": len(self.entries),
                "import": len(self.imports),
                "notFound": len(self.not_found),
                "problems": len(self.problems),
                "unmanaged": len(self.unmanaged),
            },
            "imports": [e.as_dict() for e in self.imports if not e.problems],
            "notFound": [e.as_dict() for e in self.not_found],
            "problems": [e.as_dict() for e in self.problems],
            "unmanaged": [asdict(u) for u in self.unmanaged],
        }


def provider_version() -> str:
    return metadata.version("pulumi_aws")


def _looked_for(d: Declared) -> str:
    for key in ("name", "serviceName", "cidrBlock", "destinationCidrBlock", "targetId", "protocol"):
        if d.inputs.get(key):
            endpoint = d.inputs.get("endpoint") if key == "protocol" else None  # a subscription's
            return f"{key} {d.inputs[key]}" + (f" ({endpoint})" if endpoint else "")
    tag = (d.inputs.get("tags") or {}).get("Name") if isinstance(d.inputs.get("tags"), dict) else None
    return f"tag Name={tag}" if tag else "by what refers to it"


def build_plan(program: Program, clients: Callable[[str, str], Any], account: str) -> ImportPlan:
    ctx = Context(clients, account, program.settings)
    results: dict[str, Found | None] = {}
    waiting: dict[str, str] = {}  # urn -> what it waited for
    pending = list(program.cloud_resources)
    # Unnamed resources are found through what refers to them (found later in the order), so go
    # round again while something new turns up.
    while pending:
        progress = False
        still: list[Declared] = []
        for d in pending:
            try:
                found = LOCATORS[d.type](ctx, d) if d.type in LOCATORS else None
            except UnresolvedError as missing:
                waiting[d.urn] = f"needs {missing} (not found)"
                still.append(d)
                continue
            except ClientError as err:
                # What the resource hangs on is absent (an attachment of a role that does not
                # exist): the resource is not there either. Anything else is a real refusal.
                if not says_not_found(err):
                    raise
                error = err.response["Error"]
                waiting[d.urn] = f"AWS: {error.get('Message') or error['Code']}"
                still.append(d)
                continue
            if found is None:
                still.append(d)
                continue
            progress = True
            results[d.urn] = found
            waiting.pop(d.urn, None)
            if found.import_id and not any(p.kind == REPLACE for p in found.problems):
                ctx.found[d.label] = found.attrs
            for key, live in found.links.items():
                _learn(ctx, d.inputs.get(key), live)
        if not progress or len(still) == len(pending):
            break
        pending = still

    plan = ImportPlan(program=program)
    for d in program.cloud_resources:
        found = results.get(d.urn)
        if found is None:
            why = waiting.get(d.urn) or ("no locator for this type" if d.type not in LOCATORS else "")
            plan.entries.append(
                Entry(
                    d.type,
                    d.name,
                    d.urn,
                    "not-found",
                    looked_for=_looked_for(d) + (f"; {why}" if why else ""),
                )
            )
            continue
        blocked = not found.import_id or any(p.kind in (REPLACE, CANNOT) for p in found.problems)
        plan.entries.append(
            Entry(
                d.type,
                d.name,
                d.urn,
                "problem" if blocked else "import",
                id=found.import_id,
                problems=tuple(found.problems),
            )
        )
    plan.unmanaged = list(_unmanaged(program, ctx, results))
    return plan


def _learn(ctx: Context, raw: Any, live: str) -> None:
    """`raw` is the declared input (`⟨readiness-role.arn⟩`), `live` what AWS holds there."""
    if not isinstance(raw, str) or not raw.startswith("⟨") or not raw.endswith("⟩") or raw.count("⟨") != 1:
        return
    label, _, prop = raw[1:-1].rpartition(".")
    ctx.hints.setdefault(label, {})[prop] = live
    if prop == "arn" and ":key/" in live:
        ctx.hints[label]["id"] = live.rsplit("/", 1)[-1]


# --- the file ----------------------------------------------------------------------------------


def _unique_names(program: Program) -> dict[str, str]:
    """URN -> the name the file uses: the logical name, made unique like Pulumi's generator does
    (`<name><Type>`, then a counter) when two resources share one; `logicalName` keeps the real one."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for r in program.resources:
        name = r.name
        if name in taken:
            base = name + r.type.rsplit(":", 1)[-1][:1].upper() + r.type.rsplit(":", 1)[-1][1:]
            name, counter = base, 2
            while name in taken:
                name, counter = f"{base}{counter}", counter + 1
        taken.add(name)
        names[r.urn] = name
    return names


def import_file(program: Program, ids: dict[str, str]) -> dict[str, Any]:
    """The bulk-import document for the resources in `ids` (URN -> import id), their component
    ancestors and the providers they use."""
    names = _unique_names(program)
    version = provider_version()
    wanted: set[str] = set(ids)
    for urn in list(ids):  # every component above an imported resource
        record = program.by_urn(urn)
        parent = record.parent if record else ""
        while parent:
            wanted.add(parent)
            record = program.by_urn(parent)
            parent = record.parent if record else ""
    name_table: dict[str, str] = {}
    resources: list[dict[str, Any]] = []
    for r in program.resources:  # registration order: parents before children
        if r.urn not in wanted or r.is_provider:
            continue
        spec: dict[str, Any] = {"type": r.type, "name": names[r.urn]}
        if names[r.urn] != r.name:
            spec["logicalName"] = r.name
        if r.custom:
            spec["id"] = ids[r.urn]
        else:
            spec["component"] = True
        if r.parent:
            spec["parent"] = names[r.parent]
        if r.custom:
            if r.provider:
                spec["provider"] = names[r.provider]
                name_table[names[r.provider]] = r.provider
            spec["version"] = version
        resources.append(spec)
    return {"nameTable": name_table, "resources": resources}


# --- what the program does not manage ----------------------------------------------------------


def _unmanaged(program: Program, ctx: Context, results: dict[str, Found | None]) -> Iterator[Unmanaged]:
    settings = program.settings
    declared = {
        r.type: {str(x.inputs.get("name")) for x in program.of_type(r.type)} for r in program.cloud_resources
    }
    functions = declared.get("aws:lambda/function:Function", set())
    if functions:
        prefix = f"{settings.failover.lambda_prefix}-"
        lam = ctx.clients("lambda", settings.region)
        for page in lam.get_paginator("list_functions").paginate():
            for fn in page["Functions"]:
                if fn["FunctionName"].startswith(prefix) and fn["FunctionName"] not in functions:
                    yield Unmanaged(
                        "aws:lambda/function:Function",
                        fn["FunctionName"],
                        f"named like the pipeline's Lambdas ({prefix}*) but not declared by the program",
                        "keep it in Terraform, or delete it once nothing invokes it "
                        "(the state machine calls only the declared ones)",
                    )
    tables = declared.get("aws:dynamodb/table:Table", set())
    # The data tables are seoul's (tokyo holds their replicas and declares only the approval
    # page's table): only the primary scans for data tables it does not declare.
    if tables and not settings.is_dr:
        ddb = ctx.clients("dynamodb", settings.region)
        prefix = f"{settings.data.table_prefix}-"
        for page in ddb.get_paginator("list_tables").paginate():
            for name in page["TableNames"]:
                if name.startswith(prefix) and name not in tables:
                    yield Unmanaged(
                        "aws:dynamodb/table:Table",
                        name,
                        f"a {prefix}* table the program does not declare (no Tokyo replica, no PITR)",
                        "the program manages only the "
                        f"{', '.join(sorted(tables))} tables: keep it in Terraform (or move its "
                        "data into a managed table), and never delete it before its data is safe",
                    )
    yield from _unmanaged_events(program, ctx)
    yield from _unmanaged_subscriptions(program, ctx)
    yield from _unmanaged_role_policies(program, ctx, results)


def _unmanaged_events(program: Program, ctx: Context) -> Iterator[Unmanaged]:
    rules = program.of_type("aws:cloudwatch/eventRule:EventRule")
    targets = program.of_type("aws:cloudwatch/eventTarget:EventTarget")
    buses = {(r.region, r.inputs.get("name")) for r in program.of_type("aws:cloudwatch/eventBus:EventBus")}
    declared_rules = {(r.region, r.inputs.get("eventBusName") or "default", r.inputs["name"]) for r in rules}
    for region, bus in sorted(buses):
        try:
            live = ctx.clients("events", region).list_rules(EventBusName=bus)["Rules"]
        except ClientError:
            continue
        for rule in live:
            if (region, bus, rule["Name"]) not in declared_rules:
                yield Unmanaged(
                    "aws:cloudwatch/eventRule:EventRule",
                    f"{bus}/{rule['Name']}",
                    f"a rule on {bus} that the program does not declare: it can start things on failover",
                    f"aws events delete-rule --region {region} --event-bus-name {bus} --name "
                    f"{rule['Name']} (after removing its targets), or keep it in Terraform",
                )
    for rule in rules:
        bus = rule.inputs.get("eventBusName")
        mine = [
            t
            for t in targets
            if t.inputs.get("rule") == rule.inputs["name"]
            and (t.inputs.get("eventBusName") or None) == (bus or None)
        ]
        try:
            live = ctx.clients("events", rule.region).list_targets_by_rule(
                Rule=rule.inputs["name"], **({"EventBusName": bus} if bus else {})
            )["Targets"]
        except ClientError:
            continue
        ids = {t.inputs.get("targetId") for t in mine}
        arns = set()
        for t in mine:
            try:
                arns.add(ctx.get(t, "arn"))
            except UnresolvedError:
                pass
        for target in live:
            if target["Id"] not in ids and target["Arn"] not in arns:
                yield Unmanaged(
                    "aws:cloudwatch/eventTarget:EventTarget",
                    f"{bus + '/' if bus else ''}{rule.inputs['name']}/{target['Id']}",
                    f"a target the program does not declare ({target['Arn']}): it fires on every "
                    "matching event",
                    f"aws events remove-targets --region {rule.region} --rule "
                    f"{rule.inputs['name']}{' --event-bus-name ' + bus if bus else ''} --ids {target['Id']}",
                )


def _unmanaged_subscriptions(program: Program, ctx: Context) -> Iterator[Unmanaged]:
    declared = {
        (s.inputs.get("protocol"), s.inputs.get("endpoint"))
        for s in program.of_type("aws:sns/topicSubscription:TopicSubscription")
    }
    for topic in program.of_type("aws:sns/topic:Topic"):
        arn = f"arn:aws:sns:{topic.region}:{ctx.account}:{topic.inputs['name']}"
        try:
            subs = ctx.clients("sns", topic.region).list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        except ClientError:
            continue
        for s in subs:
            if (s["Protocol"], s["Endpoint"]) not in declared:
                yield Unmanaged(
                    "aws:sns/topicSubscription:TopicSubscription",
                    f"{s['Protocol']}:{s['Endpoint']}",
                    f"subscribed to {topic.inputs['name']} but not in megaticket-dr:approvers",
                    "add it to approvers.emails/approvers.sms and re-run import-plan, or unsubscribe it",
                )


def _unmanaged_role_policies(
    program: Program, ctx: Context, results: dict[str, Found | None]
) -> Iterator[Unmanaged]:
    plan_ids: dict[str, set[str]] = {}
    for urn, found in results.items():
        record = program.by_urn(urn)
        if (
            record is not None
            and record.type == "aws:iam/rolePolicy:RolePolicy"
            and found
            and found.import_id
        ):
            role, _, policy_name = found.import_id.partition(":")
            plan_ids.setdefault(role, set()).add(policy_name)
    attached: dict[str, set[str]] = {}
    for r in program.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        try:
            attached.setdefault(ctx.get(r, "role"), set()).add(ctx.get(r, "policyArn"))
        except UnresolvedError:
            continue
    iam = ctx.clients("iam", program.settings.region)
    for declared_role in program.of_type("aws:iam/role:Role"):
        role_name = ctx.found.get(declared_role.label, {}).get("name")
        if not role_name:
            continue
        name = role_name
        for policy in iam.list_role_policies(RoleName=name).get("PolicyNames", []):
            if policy not in plan_ids.get(name, set()):
                yield Unmanaged(
                    "aws:iam/rolePolicy:RolePolicy",
                    f"{name}:{policy}",
                    "an inline policy the program does not declare: it keeps granting what it grants",
                    f"`aws iam delete-role-policy --role-name {name} --policy-name {policy}` "
                    "once the program's policies are in place",
                )
        for policy in iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", []):
            if policy["PolicyArn"] not in attached.get(name, set()):
                yield Unmanaged(
                    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                    f"{name}/{policy['PolicyArn']}",
                    "a managed policy the program does not attach (least privilege)",
                    f"aws iam detach-role-policy --role-name {name} --policy-arn {policy['PolicyArn']}",
                )


# --- rendering ----------------------------------------------------------------------------------


def render_text(plan: ImportPlan, path: str) -> list[str]:
    lines = [
        f"import plan for stack {plan.program.stack}: {len(plan.imports)} to import, "
        f"{len(plan.not_found)} not found (will be created), {len(plan.problems)} with problems, "
        f"{len(plan.unmanaged)} not managed by the program",
        f"wrote {path}  (pulumi import --file {path})",
    ]
    if plan.problems:
        lines.append("\nproblems:")
        for e in plan.problems:
            state = "imported" if e.status == "import" else "NOT imported"
            for p in e.problems:
                lines.append(f"  ✗ {e.name} ({e.type}{', ' + e.id if e.id else ''}; {state}) — {p.problem}")
                lines.append(f"      fix: {p.fix}")
    if plan.not_found:
        lines.append("\nnot found (the first `pulumi up` creates them):")
        lines.extend(f"  + {e.name} ({e.type}) — looked for {e.looked_for}" for e in plan.not_found)
    if plan.unmanaged:
        lines.append("\nnot managed by the program:")
        for u in plan.unmanaged:
            lines.append(f"  ? {u.id} ({u.type}) — {u.problem}")
            lines.append(f"      fix: {u.fix}")
    return lines


def write_file(plan: ImportPlan, path: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(plan.import_file(), out, indent=4, ensure_ascii=False)
        out.write("\n")
