"""Where moto cannot represent AWS: every gap the tests fill, in one place, and only here.

Filled on moto's in-process models (also what its threaded server serves), never in drctl or the
checks:
  1. DynamoDB global tables: moto keeps one unrelated table per region and its describe_table has
     no `Replicas`. tests/deployer.py creates the table in every replica region and `set_replicas`
     adds what AWS returns for a v2019 global table (`{"RegionName": ..., "ReplicaStatus":
     "ACTIVE"}` for each other region).
  2. SNS subscriptions awaiting confirmation: moto confirms every subscription at once; AWS lists an
     unconfirmed one with SubscriptionArn "PendingConfirmation" (`mark_pending`).

  3. Route53 CLOUDWATCH_METRIC health checks: moto drops the AlarmIdentifier (and the insufficient-
     data status) from GetHealthCheck's config; `set_alarm_identifier` keeps what was created.
  4. AWS managed IAM policies: moto loads them only on request (all ~1000); `add_aws_managed_policy`
     adds the one a role attaches.
  5. Warm-pool instances: moto stores a group's warm pool configuration but DescribeWarmPool lists
     no instances, and scaling launches new instances instead of drawing on the pool. We list what
     AWS would hold in the pool: max(MinSize, MaxGroupPreparedCapacity (else the group's MaxSize)
     minus the instances in the group) instances in `Warmed:<PoolState>`, so a scale-out empties
     the pool and a scale-in (with reuseOnScaleIn) refills it.
  6. A new metric alarm: moto starts it OK; AWS starts it INSUFFICIENT_DATA, where an alarm on a
     custom metric nobody has written yet stays (the approval gate, the failback lock).
     `start_without_data` sets that state, through SetAlarmState.
  7. DeleteLaunchTemplateVersions: moto has none. `install` adds it for the newest versions (what a
     drill's cleanup deletes); like AWS it refuses the default version, and $Latest becomes the
     highest version left (moto numbers versions by position, so only trailing ones can go).
  7b. SendTaskFailure's cause: moto's response layer passes only the error on, so the TaskFailed
     event of a rejected approval has no cause; AWS records it (who rejected, and why). `install`
     passes the cause through to moto's own interpreter, which already accepts it.

Not filled, and how the tests cope:
  8. Route53 health-check status: moto always reports Success; the failing case is a stub client
     in tests/drctl/test_checks_unit.py.
  9. CreateLaunchTemplateVersion with SourceVersion: moto does not merge the source version's data;
     the fault helpers (tests/drctl/faults.py) pass the whole data instead.
  10. Network load balancer ARNs: moto writes `loadbalancer/app/` for every type; the step-roles check
     rebuilds an NLB's ARN as AWS writes it (`loadbalancer/net/<name>/<id>`).
  11. IAM policy simulation (SimulatePrincipalPolicy) is not implemented by moto: the step-roles
     check evaluates the roles' policy documents itself (failover/iam_eval.py).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from moto.autoscaling.responses import AutoScalingResponse
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult, EmptyResult
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.ec2.responses import EC2Response
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, iam_backends
from moto.route53.models import HealthCheck, route53_backends
from moto.sns.models import sns_backends
from moto.stepfunctions.responses import StepFunctionResponse

_original_describe = Table.describe
_original_config = HealthCheck.health_check_config


def _describe_with_replicas(self: Table, *args: Any, **kwargs: Any) -> dict[str, Any]:
    result = _original_describe(self, *args, **kwargs)
    replicas = getattr(self, "test_replicas", None)
    if replicas is not None:
        next(iter(result.values()))["Replicas"] = replicas
    return result


def _config_with_alarm(self: HealthCheck) -> dict[str, Any]:
    config = _original_config.fget(self)  # type: ignore[attr-defined]
    alarm = getattr(self, "test_alarm_identifier", None)
    if alarm:
        config["AlarmIdentifier"] = alarm
        config["InsufficientDataHealthStatus"] = getattr(self, "test_insufficient_data", "LastKnownStatus")
    return config


def warm_pool_instances(group: Any) -> list[dict[str, Any]]:
    """What AWS would list in the group's warm pool (gap 5)."""
    pool = getattr(group, "warm_pool", None)
    if pool is None:
        return []
    prepared = pool.max_group_prepared_capacity
    prepared = group.max_size if prepared is None else int(prepared)
    in_group = len(group.instance_states)
    count = max(int(pool.min_size or 0), prepared - in_group)
    if in_group and not (pool.instance_reuse_policy or {}).get("ReuseOnScaleIn"):
        count = max(int(pool.min_size or 0), count)
    zone = group.availability_zones[0] if group.availability_zones else "ap-northeast-1a"
    return [{"InstanceId": f"i-warm{abs(hash(group.name)) % 10**8:08d}{n:04d}",
             "LifecycleState": f"Warmed:{pool.pool_state}", "HealthStatus": "Healthy",
             "AvailabilityZone": zone, "InstanceType": "t3.small"} for n in range(count)]


def _describe_warm_pool(self: AutoScalingResponse) -> ActionResult:
    name = self._get_param("AutoScalingGroupName")
    pool = self.autoscaling_backend.describe_warm_pool(group_name=name)
    group = self.autoscaling_backend.autoscaling_groups[name]
    return ActionResult({"WarmPoolConfiguration": pool, "Instances": warm_pool_instances(group)})
def _delete_launch_template_versions(self: EC2Response) -> ActionResult:
    template_id = self._get_param("LaunchTemplateId")
    name = self._get_param("LaunchTemplateName")
    backend = self.ec2_backend
    template = backend.launch_templates[template_id or backend.launch_template_name_to_ids[name]]
    wanted = sorted({int(v) for v in self._get_param("Versions", [])}, reverse=True)
    done, failed = [], []
    for number in wanted:
        entry = {"LaunchTemplateId": template.id, "LaunchTemplateName": template.name,
                 "VersionNumber": number}
        if number == template.default_version_number:
            failed.append({**entry, "ResponseError": {
                "Code": "launchTemplateVersionIsDefaultVersion",
                "Message": "the default version of a launch template cannot be deleted"}})
        elif number == template.latest_version_number and number > 1:
            template.versions.pop()
            done.append(entry)
        else:
            failed.append({**entry, "ResponseError": {
                "Code": "unexpectedError", "Message": "moto gap 7: only the newest versions can go"}})
    return ActionResult({"SuccessfullyDeletedLaunchTemplateVersions": done,
                         "UnsuccessfullyDeletedLaunchTemplateVersions": failed})


def _send_task_failure(self: StepFunctionResponse) -> Any:
    self.stepfunction_backend.send_task_failure(
        self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause"))
    return EmptyResult()


def install() -> None:
    Table.describe = _describe_with_replicas  # type: ignore[method-assign]
    AutoScalingResponse.describe_warm_pool = _describe_warm_pool  # type: ignore[method-assign]
    EC2Response.delete_launch_template_versions = _delete_launch_template_versions  # type: ignore[attr-defined]
    StepFunctionResponse.send_task_failure = _send_task_failure  # type: ignore[method-assign]
    HealthCheck.health_check_config = property(_config_with_alarm)  # type: ignore[assignment,method-assign]


def set_replicas(region: str, table_name: str, replicas: list[dict[str, str]] | None) -> None:
    """What describe_table lists as the table's replicas (None: no `Replicas` key, a plain table)."""
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables[table_name]
    table.test_replicas = replicas  # type: ignore[attr-defined]


def mark_pending(region: str, topic_arn: str, endpoint: str) -> None:
    backend = sns_backends[DEFAULT_ACCOUNT_ID][region]
    for arn, sub in list(backend.subscriptions.items()):
        if sub.topic.arn == topic_arn and sub.endpoint == endpoint:
            del backend.subscriptions[arn]
            sub.arn = "PendingConfirmation"
            sub.confirmed = False
            sub.attributes["PendingConfirmation"] = "true"
            sub.attributes["SubscriptionArn"] = "PendingConfirmation"
            backend.subscriptions[f"pending:{arn}"] = sub
            return
    raise KeyError(f"no subscription {endpoint} on {topic_arn}")


def set_alarm_identifier(check_id: str, alarm: dict[str, str],
                         insufficient_data: str = "LastKnownStatus") -> None:
    """What GetHealthCheck returns as the CLOUDWATCH_METRIC check's alarm and its status without
    data (gap 3)."""
    for backend in route53_backends[DEFAULT_ACCOUNT_ID].values():
        if check_id in backend.health_checks:
            check = backend.health_checks[check_id]
            check.test_alarm_identifier = alarm  # type: ignore[attr-defined]
            check.test_insufficient_data = insufficient_data  # type: ignore[attr-defined]


@functools.cache
def _aws_managed_policies() -> dict[str, Any]:
    return dict(json.loads(aws_managed_policies_data))


def add_aws_managed_policy(arn: str) -> None:
    """Load the one AWS managed policy a role attaches (gap 4)."""
    name = arn.rsplit("/", 1)[-1]
    backend = iam_backends[DEFAULT_ACCOUNT_ID]["aws"]
    if arn not in backend.managed_policies:
        backend.managed_policies[arn] = AWSManagedPolicy.from_data(
            name, DEFAULT_ACCOUNT_ID, "us-east-1", _aws_managed_policies()[name])


def start_without_data(cloudwatch: Any, alarm_name: str) -> None:
    """The state AWS gives a new alarm whose metric has no data yet (gap 6)."""
    cloudwatch.set_alarm_state(AlarmName=alarm_name, StateValue="INSUFFICIENT_DATA",
                               StateReason="created; no datapoints yet (as AWS starts an alarm)")
