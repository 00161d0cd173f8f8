"""The pipeline's Lambdas and their roles: one function, log group and role per step, all packaged
from `failover/` and configured with the same environment (`failover.settings`).

The roles get only log writing here; what each step may do is attached by the pipeline, which knows
the resources (state machines, topic) the steps act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.failover_pipeline import iam
from components.failover_pipeline.approval_topic import child_options
from failover.contract import function_name, lambda_log_group, role_name
from failover.facts import FUNCTIONS, LAMBDA_MEMORY_MB
from stack_config import LambdaTimeouts

FAILOVER_DIR = Path(__file__).resolve().parent.parent.parent / "failover"
RUNTIME = "python3.12"


def package() -> pulumi.AssetArchive:
    """Only the package's sources: a FileArchive of the folder would pick up __pycache__, whose
    bytes differ per machine and Python version, and redeploy every Lambda on each `pulumi up`."""
    return pulumi.AssetArchive(
        {
            f"failover/{source.name}": pulumi.FileAsset(str(source))
            for source in sorted(FAILOVER_DIR.glob("*.py"))
        }
    )


def lambda_with_role(name: str, parent: pulumi.Resource, *, fn_name: str, handler: str,
                     code: pulumi.Archive, timeout: int, policy: pulumi.Input[str],
                     environment: pulumi.Input[Mapping[str, pulumi.Input[str]]], log_retention_days: int,
                     tags: Mapping[str, str]) -> aws.lambda_.Function:
    """One Lambda of its own: log group, role (logs + `policy`), function, as children of `parent`
    named `<name>-logs`, `-role`, `-logs-policy`, `-policy` and `-function` (the approval page and
    the report writer)."""
    child = pulumi.ResourceOptions(parent=parent)
    logs = aws.cloudwatch.LogGroup(f"{name}-logs", name=lambda_log_group(fn_name),
                                   retention_in_days=log_retention_days, tags=dict(tags), opts=child)
    role = aws.iam.Role(f"{name}-role", name=role_name(fn_name),
                        assume_role_policy=iam.assume("lambda.amazonaws.com"), tags=dict(tags), opts=child)
    aws.iam.RolePolicy(f"{name}-logs-policy", role=role.id, policy=logs.arn.apply(iam.log_writer), opts=child)
    aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=policy, opts=child)
    return aws.lambda_.Function(
        f"{name}-function", name=fn_name, runtime=RUNTIME, handler=handler, code=code, role=role.arn,
        timeout=timeout, memory_size=LAMBDA_MEMORY_MB, environment={"variables": environment},
        tags=dict(tags), opts=pulumi.ResourceOptions(parent=parent, depends_on=[logs]))


@dataclass(frozen=True)
class StepLambdasArgs:
    lambda_prefix: str
    timeouts: LambdaTimeouts
    environment: Mapping[str, pulumi.Input[str]]
    # Variables only some steps read (step 0: the approval page's table and URL), by step key.
    step_environment: Mapping[str, Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)
    log_retention_days: int = 90
    prefix: str = "failover"
    moved_from: Optional[pulumi.Resource] = None  # see ApprovalTopicArgs.moved_from
    tags: Mapping[str, str] = field(default_factory=dict)


class StepLambdas(pulumi.ComponentResource):
    """The six step Lambdas (steps 0-4 and failback), each with its own role."""

    arns: dict[str, pulumi.Output[str]]
    names: dict[str, pulumi.Output[str]]
    role_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: StepLambdasArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("megaticket-dr:failover:StepLambdas", name, None, opts)
        code = package()
        p, tags = args.prefix, dict(args.tags)
        self.arns, self.names, self.role_ids = {}, {}, {}
        for key, (handler, timeout_field) in FUNCTIONS.items():
            fn_name = function_name(args.lambda_prefix, key)
            log_group = aws.cloudwatch.LogGroup(
                f"{p}-{key}-logs",
                name=lambda_log_group(fn_name),
                retention_in_days=args.log_retention_days,
                tags=tags,
                opts=child_options(self, args.moved_from),
            )
            role = aws.iam.Role(
                f"{p}-{key}-role",
                name=role_name(fn_name),
                assume_role_policy=iam.assume("lambda.amazonaws.com"),
                tags=tags,
                opts=child_options(self, args.moved_from),
            )
            aws.iam.RolePolicy(
                f"{p}-{key}-logs-policy",
                role=role.id,
                policy=log_group.arn.apply(iam.log_writer),
                opts=child_options(self, args.moved_from),
            )
            function = aws.lambda_.Function(
                f"{p}-{key}",
                name=fn_name,
                runtime=RUNTIME,
                handler=handler,
                code=code,
                role=role.arn,
                timeout=getattr(args.timeouts, timeout_field),
                memory_size=LAMBDA_MEMORY_MB,
                environment={"variables": {**args.environment, **args.step_environment.get(key, {})}},
                tags=tags,
                opts=child_options(self, args.moved_from, depends_on=[log_group]),
            )
            self.arns[key], self.names[key], self.role_ids[key] = function.arn, function.name, role.id
        self.register_outputs({"arns": self.arns, "names": self.names})
