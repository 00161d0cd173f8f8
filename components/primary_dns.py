"""The PRIMARY failover record (seoul stack) and the health checks that gate it.

    endpoint check  (HTTPS /api/health on the Seoul ALB)  --+
                                                            +-- calculated check (2 of 2) --> PRIMARY record
    lock check      (CloudWatch alarm FailoverLock >= 1) --+

Route53 flips a failover record back to PRIMARY on its own as soon as the primary's health check
passes, before anyone has looked at the data written in Tokyo meanwhile. So the PRIMARY record
does not use the endpoint check directly but a CALCULATED check that is healthy only when the
endpoint check is healthy AND the failback lock is released. The failover pipeline puts
`MegaTicket/DR FailoverLock = 1` (us-east-1); the lock alarm goes to ALARM, the lock check turns
unhealthy and traffic stays in Tokyo until an operator runs `drctl release-lock` (puts 0). See
docs/failback.md.

The lock alarm treats missing data as `ignore`: the pipeline writes one data point, and the
state must persist for days without new points. The lock check uses `LastKnownStatus` for
insufficient data: a new check with no history is healthy (a fresh deploy is unlocked), and a
held lock is not silently released if CloudWatch ever loses track of the alarm's data.

What the endpoint check probes: the Seoul ALB's own DNS name (`endpoint_fqdn`), never
`record_name` - the domain resolves through the failover record itself, so after a failover the
check would probe Tokyo and call Seoul healthy. Route53 does not validate certificates, so an
HTTPS probe of the ALB name works with the certificate issued for the domain (if the name sent
in SNI is not on it, the checker retries without SNI and the ALB serves its default
certificate). The probe must use the listener that really serves the app:
- ALB with a certificate: HTTPS on 443. Never plain HTTP on port 80 there (refused): that
  listener redirects to HTTPS, and Route53 counts a 3xx as healthy, so the check would pass
  with the app down.
- ALB without a certificate (`endpoint_has_certificate=False`): only the HTTP listener exists,
  so an HTTPS setting is downgraded to HTTP on port 80, with a warning.
`HTTP` with the default port 443 means port 80 (nothing serves plain HTTP on 443).

Detection follows the endpoint check without a tokyo redeploy. Route53 cannot change a check's
`type` or `request_interval` in place, so a new `healthCheck.interval`, `protocol` or ALB
certificate *replaces* the endpoint check, with a new id. Tokyo's detection alarm names a check
id in its metric dimension, and would keep watching the deleted check (INSUFFICIENT_DATA, no
failover) until tokyo is redeployed. So the alarm watches a second CALCULATED check, the
*detection* check (endpoint alone, 1 of 1), exported as `detectionHealthCheckId`: a calculated
check's type never changes and its children are updated in place, so its id is stable for the
life of the stack, and the same seoul `pulumi up` that replaces the endpoint check re-points it.
Route53 publishes `HealthCheckStatus` for calculated checks too, in us-east-1. The endpoint check
keeps its own output (`healthCheckId`): per-checker status (`drctl doctor`) exists only there.

The lock check carries `triggers` built from the lock alarm's definition: Route53 copies the
alarm's configuration when the check is created or updated, so without them an edited `lock.*`
(threshold, metric, namespace) would change the alarm but not what Route53 evaluates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.secondary_dns import require_input, validate_record
from failover.facts import lock_alarm_shape
from stack_config import HealthCheckSettings, LockSettings


def alarm_triggers(alarm: aws.cloudwatch.MetricAlarm) -> dict[str, pulumi.Input[str]]:
    """Triggers for a CLOUDWATCH_METRIC health check on `alarm`: Route53 copies the alarm's
    definition when the check is created or updated, so any change to what the alarm evaluates
    must update the check too (the lock check, and the fast profile's approval gate)."""
    return {
        "alarmArn": alarm.arn,
        "metric": pulumi.Output.all(alarm.namespace, alarm.metric_name).apply(
            lambda parts: f"{parts[0]} {parts[1]}"),
        "threshold": alarm.threshold.apply(str),
        "comparison": alarm.comparison_operator.apply(str),
        "statistic": alarm.statistic.apply(str),
        "period": alarm.period.apply(str),
        "treatMissingData": alarm.treat_missing_data.apply(str),
    }


@dataclass(frozen=True)
class Probe:
    """What the endpoint health check really sends."""

    type: str  # "HTTPS" or "HTTP"
    port: int
    path: str


def endpoint_probe(health_check: HealthCheckSettings,
                   endpoint_has_certificate: Optional[bool] = None) -> Probe:
    """The protocol and port to probe, given the settings and whether the ALB has a certificate."""
    protocol, port = health_check.protocol, health_check.port
    if protocol == "HTTPS" and endpoint_has_certificate is False:
        protocol = "HTTP"
        port = 80 if port == 443 else port
    elif protocol == "HTTP" and port == 443:
        port = 80
    return Probe(protocol, port, health_check.path)


@dataclass(frozen=True)
class PrimaryDnsArgs:
    record_name: str
    hosted_zone_id: pulumi.Input[str]
    alb_dns_name: pulumi.Input[str]
    alb_zone_id: pulumi.Input[str]
    endpoint_fqdn: pulumi.Input[str]  # what the endpoint check probes: the Seoul ALB DNS name
    health_check: HealthCheckSettings
    lock: LockSettings
    alarm_provider: pulumi.ProviderResource  # for lock.region (us-east-1)
    endpoint_has_certificate: Optional[bool] = None  # None: trust health_check.protocol
    set_identifier: str = "primary"
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_record(self.record_name, self.set_identifier)
        require_input(self.hosted_zone_id, "hosted_zone_id", "the Route53 hosted zone id")
        require_input(self.alb_dns_name, "alb_dns_name", "the Seoul ALB DNS name")
        require_input(self.alb_zone_id, "alb_zone_id", "the Seoul ALB canonical hosted zone id")
        require_input(self.endpoint_fqdn, "endpoint_fqdn",
                      "the host name the health check probes (the Seoul ALB DNS name)")
        if isinstance(self.endpoint_fqdn, str) and self.endpoint_fqdn.rstrip(".") == \
                self.record_name.rstrip("."):
            raise ValueError(f"endpoint_fqdn must not be the failover record itself: after a "
                             f"failover it resolves to Tokyo (got {self.endpoint_fqdn!r})")
        # The health check and lock settings come checked from stack_config; the rest are
        # invariants between this component's own arguments.
        hc = self.health_check
        probe = endpoint_probe(hc, self.endpoint_has_certificate)
        if self.endpoint_has_certificate and probe.type == "HTTP" and probe.port == 80:
            raise ValueError('health_check.protocol must be "HTTPS" when the ALB has a certificate: '
                             "its port 80 redirects to HTTPS and Route53 counts the 3xx as healthy "
                             f"(got {hc.protocol!r} on port {hc.port})")
        lock = self.lock
        if not isinstance(self.alarm_provider, pulumi.ProviderResource):
            raise ValueError(f"alarm_provider must be the aws.Provider for {lock.region} "
                             f"(got {self.alarm_provider!r})")


class PrimaryDns(pulumi.ComponentResource):
    """Endpoint check, failback lock (alarm + check), calculated check and the PRIMARY record."""

    health_check_id: pulumi.Output[str]
    detection_health_check_id: pulumi.Output[str]
    calculated_health_check_id: pulumi.Output[str]
    lock_health_check_id: pulumi.Output[str]
    lock_alarm_name: pulumi.Output[str]
    lock_alarm_arn: pulumi.Output[str]
    fqdn: pulumi.Output[str]

    def __init__(self, name: str, args: PrimaryDnsArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:dns:PrimaryDns", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        probe = endpoint_probe(args.health_check, args.endpoint_has_certificate)
        if probe.type != args.health_check.protocol:
            pulumi.log.warn(f"{name}: the ALB has no certificate, so the primary health check "
                            f"probes HTTP on port {probe.port} instead of HTTPS", self)

        endpoint = aws.route53.HealthCheck(
            f"{name}-endpoint",
            type=probe.type,
            fqdn=args.endpoint_fqdn,
            port=probe.port,
            resource_path=probe.path,
            request_interval=args.health_check.interval,
            failure_threshold=args.health_check.failure_threshold,
            enable_sni=True if probe.type == "HTTPS" else None,
            tags={**tags, "Name": f"{args.record_name} primary endpoint"},
            opts=child,
        )

        detection = aws.route53.HealthCheck(
            f"{name}-detection",
            type="CALCULATED",
            child_healthchecks=[endpoint.id],
            child_health_threshold=1,
            tags={**tags, "Name": f"{args.record_name} primary detection (endpoint only, stable id)"},
            opts=child,
        )

        lock = args.lock
        lock_shape = lock_alarm_shape(lock.namespace, lock.metric_name)  # what the doctor expects too
        lock_alarm = aws.cloudwatch.MetricAlarm(
            f"{name}-lock-alarm",
            name=lock.alarm_name,
            alarm_description=(
                f"Failback lock: ALARM while {lock.namespace} {lock.metric_name} >= 1 keeps the "
                f"PRIMARY record of {args.record_name} unhealthy after a failover. Release after "
                f"checking the data: drctl release-lock --yes"),
            namespace=lock_shape.namespace,
            metric_name=lock_shape.metric_name,
            statistic=lock_shape.statistic,
            period=60,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            threshold=lock_shape.threshold,
            comparison_operator=lock_shape.comparison,
            treat_missing_data=lock_shape.treat_missing_data,
            region=lock.region,
            tags={**tags, "Name": lock.alarm_name},
            opts=pulumi.ResourceOptions(parent=self, provider=args.alarm_provider),
        )
        lock_check = aws.route53.HealthCheck(
            f"{name}-lock",
            type="CLOUDWATCH_METRIC",
            cloudwatch_alarm_name=lock_alarm.name,
            cloudwatch_alarm_region=lock.region,
            insufficient_data_health_status="LastKnownStatus",
            # Any change to what the alarm evaluates re-sends the alarm to Route53 (see above).
            triggers=alarm_triggers(lock_alarm),
            tags={**tags, "Name": f"{args.record_name} failback lock"},
            opts=child,
        )
        calculated = aws.route53.HealthCheck(
            f"{name}-calculated",
            type="CALCULATED",
            child_healthchecks=[endpoint.id, lock_check.id],
            child_health_threshold=2,
            tags={**tags, "Name": f"{args.record_name} primary (endpoint AND lock released)"},
            opts=child,
        )
        record = aws.route53.Record(
            f"{name}-record",
            zone_id=args.hosted_zone_id,
            name=args.record_name,
            type="A",
            set_identifier=args.set_identifier,
            failover_routing_policies=[{"type": "PRIMARY"}],
            health_check_id=calculated.id,
            aliases=[{"name": args.alb_dns_name, "zone_id": args.alb_zone_id,
                      "evaluate_target_health": True}],
            opts=child,
        )

        self.health_check_id = endpoint.id
        self.detection_health_check_id = detection.id
        self.calculated_health_check_id = calculated.id
        self.lock_health_check_id = lock_check.id
        self.lock_alarm_name = lock_alarm.name
        self.lock_alarm_arn = lock_alarm.arn
        self.fqdn = record.fqdn
        self.register_outputs({
            "health_check_id": self.health_check_id,
            "detection_health_check_id": self.detection_health_check_id,
            "calculated_health_check_id": self.calculated_health_check_id,
            "lock_health_check_id": self.lock_health_check_id,
            "lock_alarm_name": self.lock_alarm_name,
            "lock_alarm_arn": self.lock_alarm_arn,
            "fqdn": self.fqdn,
        })
