"""Regions, load balancers, the Route53 health check, DNS and the failback lock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from failover.contract import (
    ALARM_NAME,
    ALARM_REGION,
    DR,
    ELB_NAME,
    FAILOVER_RECORD_MAX_TTL,
    HEALTH_CHECK_INTERVALS,
    HEALTH_CHECK_MAX_FAILURE_THRESHOLD,
    METRIC_NAME,
    METRIC_NAMESPACE,
    METRIC_NAMESPACE_DEFAULT,
    NLB_MODES,
    NLB_STANDBY,
    PRIMARY,
)
from stack_config import shapes
from stack_config.errors import ConfigError, fail, shown
from stack_config.model import DnsSettings, HealthCheckSettings, LoadBalancerSettings, LockSettings
from stack_config.reader import Section
from stack_config.regions import known_regions

_REGION_EXPECTED = 'an AWS region such as "{example}" (one of botocore\'s partitions.json)'


@dataclass(frozen=True)
class Regions:
    role: str
    primary: str
    dr: str
    alarm: str

    @property
    def home(self) -> str:
        return self.dr if self.role == DR else self.primary


def region(section: Section, name: str, default: str) -> str:
    value = section.text(name, default, re.compile(r"[a-z0-9-]{1,32}"),
                         _REGION_EXPECTED.format(example=default))
    if value not in known_regions():
        raise fail(section.key(name), _REGION_EXPECTED.format(example=default), value)
    return value


def read_regions(root: Section, stack: str, aws_region: Any) -> Regions:
    role = root.choice("role", DR if stack == "tokyo" else PRIMARY, (PRIMARY, DR))
    primary = region(root, "primaryRegion", "ap-northeast-2")
    dr = region(root, "drRegion", "ap-northeast-1")
    if dr == primary:
        raise fail("drRegion", f"a region other than primaryRegion ({primary})", dr)
    # Route53 publishes health-check metrics only in us-east-1, so the detection alarm lives there.
    alarm = root.choice("alarmRegion", ALARM_REGION, (ALARM_REGION,))
    regions = Regions(role, primary, dr, alarm)
    if aws_region != regions.home:
        raise ConfigError(f"aws:region must be {regions.home} for a {role} stack (got {shown(aws_region)})")
    return regions


def read_load_balancers(root: Section, regions: Regions, name_prefix: str,
                        nlb_mode_default: str = NLB_STANDBY) -> LoadBalancerSettings:
    lb = root.section("alb").only("name", "certificateArn", "deletionProtection")
    nlb = root.section("nlb").only("name", "mode")
    certificate_arn = lb.optional_text(
        "certificateArn", shapes.CERTIFICATE_ARN,
        "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)")
    match = shapes.CERTIFICATE_ARN.fullmatch(certificate_arn or "")
    if match and match["region"] != regions.home:
        # An ALB can only use a certificate from its own region (us-east-1 is for CloudFront).
        raise fail(lb.key("certificateArn"), f"a certificate in {regions.home}, the ALB's region",
                   certificate_arn)
    alb_name = lb.name("name", f"{name_prefix}-ALB", ELB_NAME)
    nlb_name = nlb.name("name", f"{name_prefix}-NLB", ELB_NAME)
    if alb_name == nlb_name:
        raise fail(nlb.key("name"), f"a name other than alb.name ({alb_name}): load balancer names "
                   "are unique per account and region", nlb_name)
    return LoadBalancerSettings(
        alb_name=alb_name,
        nlb_name=nlb_name,
        nlb_mode=nlb.choice("mode", nlb_mode_default, NLB_MODES),
        certificate_arn=certificate_arn,
        deletion_protection=lb.boolean("deletionProtection", regions.role == PRIMARY),
    )


def read_health_check(root: Section, certificate_arn: Optional[str], interval_default: int = 30,
                      failure_threshold_default: int = 3) -> HealthCheckSettings:
    hc = root.section("healthCheck").only("interval", "failureThreshold", "path", "port", "protocol")
    # The probe goes to the ALB's own DNS name, which listens on 80 (HTTP; a redirect when there is
    # a certificate) and, with a certificate, on 443 (HTTPS). Nothing else answers.
    protocol = hc.choice("protocol", "HTTPS" if certificate_arn else "HTTP", ("HTTPS", "HTTP"))
    if protocol == "HTTPS" and not certificate_arn:
        raise fail(hc.key("protocol"), '"HTTP" unless alb.certificateArn is set (the ALB has no '
                   "HTTPS listener without a certificate)", protocol)
    if protocol == "HTTP" and certificate_arn:
        raise fail(hc.key("protocol"), '"HTTPS" when alb.certificateArn is set (port 80 redirects '
                   "to 443, and Route53 counts a redirect as healthy)", protocol)
    listener = 443 if protocol == "HTTPS" else 80
    port = hc.integer("port", listener, listener, listener,
                      why=f", the port the ALB listens on for {protocol}")
    return HealthCheckSettings(
        interval=hc.integer("interval", interval_default, 10, 30, allowed=HEALTH_CHECK_INTERVALS),
        failure_threshold=hc.integer("failureThreshold", failure_threshold_default, 1,
                                      HEALTH_CHECK_MAX_FAILURE_THRESHOLD),
        path=hc.text("path", "/api/health", shapes.URL_PATH,
                     'a URL path starting with "/" (letters, digits, . _ ~ / -; at most 255 characters)'),
        port=port,
        protocol=protocol,
    )


def read_lock(root: Section, alarm_region: str) -> LockSettings:
    lock = root.section("lock").only("namespace", "metricName", "alarmName")
    return LockSettings(
        namespace=lock.name("namespace", METRIC_NAMESPACE_DEFAULT, METRIC_NAMESPACE),
        metric_name=lock.name("metricName", "FailoverLock", METRIC_NAME),
        alarm_name=lock.name("alarmName", "MegaTicket-Failback-Lock", ALARM_NAME),
        region=alarm_region,
    )


def read_dns(root: Section, health_check: HealthCheckSettings, lock: LockSettings) -> DnsSettings:
    dns = root.section("dns").only("recordName", "ttl")
    domain = root.text("domain", "pilotlight-test.click", shapes.DOMAIN,
                       'a lower-case DNS name such as "pilotlight-test.click"')
    record_name = dns.text("recordName", domain, shapes.DOMAIN, "a lower-case DNS name")
    if record_name != domain and not record_name.endswith("." + domain):
        raise fail(dns.key("recordName"), f"{domain} or a name under it", record_name)
    return DnsSettings(
        domain=domain,
        record_name=record_name,
        hosted_zone_id=root.optional_text("hostedZoneId", shapes.ZONE_ID,
                                          'a Route53 hosted zone id such as "Z0123456789ABC"'),
        ttl=dns.integer("ttl", FAILOVER_RECORD_MAX_TTL, 1, FAILOVER_RECORD_MAX_TTL),
        health_check=health_check,
        lock=lock,
    )
