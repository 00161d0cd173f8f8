"""Data and DNS: the Tokyo replicas (read in Tokyo), their PITR, replication latency (Seoul's
metric), the SECONDARY record and the public site through it."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from failover.check_core import (
    CheckFailedError,
    CheckResult,
    CheckSettings,
    ClientFactory,
    HttpGet,
    code,
    iso,
    load_balancer,
    primary_stack_hint,
    stack_hint,
)


def _seoul_lists_tokyo(clients: ClientFactory, s: CheckSettings, table: str) -> bool | None:
    """Whether Seoul's description of `table` names the Tokyo replica; None when Seoul cannot say."""
    try:
        described = clients("dynamodb", s.primary_region).describe_table(TableName=table)["Table"]
        replicas = described.get("Replicas")
    except (ClientError, BotoCoreError):
        return None
    if replicas is None:
        return None
    return s.dr_region in {r.get("RegionName") for r in replicas}


def check_dynamodb_replicas(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """Each table has an ACTIVE replica in Tokyo that belongs to the global table, read in Tokyo so
    the check works while Seoul is down (Seoul's description is asked only when Tokyo's lists no
    replicas at all)."""
    name = "dynamodb-replica"
    ddb = clients("dynamodb", s.dr_region)
    missing, unconfirmed = [], []
    for table in s.table_names:
        try:
            description = ddb.describe_table(TableName=table)["Table"]
        except ClientError as err:
            if code(err) != "ResourceNotFoundException":
                raise
            missing.append(f"{table} (no replica in {s.dr_region})")
            continue
        status = description.get("TableStatus")
        replicas = description.get("Replicas")
        peers = {r.get("RegionName") for r in replicas or []}
        if status != "ACTIVE":
            missing.append(f"{table} ({status})")
        elif replicas is not None and s.primary_region not in peers:
            missing.append(f"{table} (not replicated with {s.primary_region}: replicas "
                           f"{sorted(p for p in peers if p) or 'none'})")
        elif replicas is None:
            listed = _seoul_lists_tokyo(clients, s, table)
            if listed is False:
                missing.append(f"{table} (a separate table: {s.primary_region} lists no "
                               f"{s.dr_region} replica)")
            elif listed is None:
                unconfirmed.append(table)
    if not missing:
        note = (f" ({len(unconfirmed)} not confirmed as replicas: {s.primary_region} did not say)"
                if unconfirmed else "")
        return CheckResult(name, True, f"{len(s.table_names)} tables ACTIVE in {s.dr_region}, "
                           f"replicated with {s.primary_region}{note}")
    first = missing[0].split(" ")[0]
    return CheckResult(name, False, f"not ready in {s.dr_region}: {', '.join(missing)}", fix=(
        f"section 5 step 4: the seoul stack declares the replicas: `pulumi up --stack "
        f"{primary_stack_hint(s)}`, or add one with `aws dynamodb update-table --table-name {first} "
        f"--replica-updates 'Create={{RegionName={s.dr_region}}}' --region {s.primary_region}`"))


def check_dynamodb_pitr(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """Point-in-time recovery on each Tokyo replica: after a failover Tokyo holds the only
    writable copy."""
    name = "dynamodb-pitr"
    ddb = clients("dynamodb", s.dr_region)
    off = []
    for table in s.table_names:
        try:
            description = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
        except ClientError as err:
            if "NotFound" not in code(err):
                raise
            off.append(f"{table} (no replica)")
            continue
        status = description.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
        if status != "ENABLED":
            off.append(f"{table} ({status or 'DISABLED'})")
    if not off:
        return CheckResult(name, True, f"PITR ENABLED on {len(s.table_names)} replicas in {s.dr_region}")
    first = off[0].split(" ")[0]
    return CheckResult(name, False, f"PITR not enabled in {s.dr_region}: {', '.join(off)}", fix=(
        f"`aws dynamodb update-continuous-backups --table-name {first} "
        f"--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true --region {s.dr_region}` "
        f"for each table listed (the seoul stack declares PITR on every replica: `pulumi up --stack "
        f"{primary_stack_hint(s)}`)"))


def check_replication_latency(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """Seoul -> Tokyo ReplicationLatency: a metric of the sending region, so Seoul-only."""
    name = "replication-latency"
    cw = clients("cloudwatch", s.primary_region)
    now = s.now()
    worst: tuple[float, str, datetime] | None = None
    for table in s.table_names:
        points = cw.get_metric_statistics(
            Namespace="AWS/DynamoDB", MetricName="ReplicationLatency",
            Dimensions=[{"Name": "TableName", "Value": table},
                        {"Name": "ReceivingRegion", "Value": s.dr_region}],
            StartTime=now - timedelta(minutes=15), EndTime=now, Period=300,
            Statistics=["Maximum"]).get("Datapoints", [])
        if points:
            latest = max(points, key=lambda p: p["Timestamp"])
            if worst is None or latest["Maximum"] > worst[0]:
                worst = (float(latest["Maximum"]), table, latest["Timestamp"])
    if worst is None:
        return CheckResult(name, True, "no datapoints in the last 15 min (DynamoDB emits "
                           "ReplicationLatency only while writes replicate)")
    value, table, at = worst
    detail = f"{table} -> {s.dr_region}: {value:.0f} ms at {iso(at)}"
    if value <= s.max_replication_latency_ms:
        return CheckResult(name, True, detail)
    return CheckResult(name, False, detail + f" (> {s.max_replication_latency_ms:.0f} ms)", fix=(
        "section 5 step 4: check data consistency before failing over (recent reservations present "
        "in Tokyo); high latency usually follows a write burst or a throttled replica — check "
        f"ReplicationLatency and the replica's write capacity in {s.dr_region}"))


def _zone_id(clients: ClientFactory, s: CheckSettings) -> str:
    if s.hosted_zone_id:
        return s.hosted_zone_id
    zones = clients("route53", "us-east-1").list_hosted_zones_by_name(DNSName=s.domain).get("HostedZones", [])
    public = [z for z in zones if z.get("Name", "").rstrip(".") == s.domain
              and not z.get("Config", {}).get("PrivateZone")]
    if not public:
        raise CheckFailedError(f"no public hosted zone {s.domain}", (
            f"create the zone and set megaticket-dr:hostedZoneId, then `pulumi up --stack {stack_hint(s)}`"))
    return str(public[0]["Id"]).rsplit("/", 1)[-1]


def _dns(value: str) -> str:
    value = value.lower().rstrip(".")
    return value.removeprefix("dualstack.")


def secondary_record(clients: ClientFactory, s: CheckSettings) -> dict[str, Any] | None:
    """The SECONDARY failover A record of `record_name`, as Route53 lists it (None: missing)."""
    zone = _zone_id(clients, s)
    sets = clients("route53", "us-east-1").list_resource_record_sets(
        HostedZoneId=zone, StartRecordName=s.record_name, StartRecordType="A").get("ResourceRecordSets", [])
    ours = [r for r in sets if _dns(r.get("Name", "")) == s.record_name and r.get("Type") == "A"]
    return next((dict(r) for r in ours if r.get("Failover") == "SECONDARY"), None)


def check_secondary_record(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """The SECONDARY failover record exists and aliases the Tokyo ALB (not Seoul's)."""
    name = "secondary-record"
    restore = f"`pulumi up --stack {stack_hint(s)}` restores it"
    secondary = secondary_record(clients, s)
    if secondary is None:
        zone = _zone_id(clients, s)
        return CheckResult(name, False, f"no SECONDARY A record {s.record_name} in zone {zone}",
                           fix=f"without it Route53 has nowhere to fail over to: {restore}")
    alias = secondary.get("AliasTarget") or {}
    alb = load_balancer(clients, s, s.alb_name)
    target = _dns(str(alias.get("DNSName", "")))
    if alb is None:
        return CheckResult(name, False, f"SECONDARY {s.record_name} -> {target or 'no alias'}, but the Tokyo "
                           f"ALB {s.alb_name} does not exist", fix=f"`pulumi up --stack {stack_hint(s)}` "
                           "recreates the ALB and points the record at it")
    problems = []
    if target != _dns(alb["DNSName"]):
        problems.append(f"aliases {target or 'nothing'} (expected the Tokyo ALB {alb['DNSName']})")
    if alias.get("HostedZoneId") != alb.get("CanonicalHostedZoneId"):
        problems.append(f"alias zone {alias.get('HostedZoneId')} "
                        f"(expected {alb.get('CanonicalHostedZoneId')})")
    if problems:
        return CheckResult(name, False, f"SECONDARY {s.record_name} " + "; ".join(problems), fix=restore)
    return CheckResult(name, True, f"SECONDARY {s.record_name} -> {alb['DNSName']}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def http_status(url: str, timeout: float) -> int:
    """Status of GET url without following redirects (a 307 must show as 307)."""
    if not url.startswith(("http://", "https://")):
        raise urllib.error.URLError(f"{url!r} is not an http(s) URL")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        request = urllib.request.Request(url, method="GET")  # noqa: S310 - scheme checked above
        with opener.open(request, timeout=timeout) as resp:  # noqa: S310
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def check_web_root(s: CheckSettings, http_get: HttpGet = http_status) -> CheckResult:
    """GET / through the public name, with the scheme and port of the ALB's forwarding listener
    (HTTPS only with a certificate)."""
    name = "web-root"
    url = s.url
    try:
        status = http_get(url, s.http_timeout_seconds)
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        return CheckResult(name, False, f"GET {url} failed: {reason}", fix=(
            f"section 5 step 6: check that {s.record_name} resolves, then the ALB listener and target "
            f"health (`aws elbv2 describe-load-balancers --names {s.alb_name} --region {s.dr_region}`)"))
    detail = f"GET {url} -> {status}"
    if status == 200:
        return CheckResult(name, True, detail)
    if 300 <= status < 400:
        return CheckResult(name, False, detail, fix=(
            "6.1: apps/web/src/middleware.ts redirects '/' (NextResponse.redirect to /performances); "
            "remove that redirect and keep the matcher '/((?!api|_next/static|_next/image|"
            "favicon.ico).*)' (6.2), then rebuild the Golden AMI"))
    return CheckResult(name, False, detail, fix=(
        f"4.3/6.5: check the web process {s.web_pm2_name} (its PM2 logs) and the route handler "
        "apps/web/app/api/[...path]/route.ts"))
