"""Checks whose failing side moto cannot produce, driven through a stub at the client boundary.

moto's Route53 always reports Success and its alarms start OK; these stubs answer exactly what
AWS returns in the failing cases, and the check logic is the same code doctor runs.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from failover.checks import (
    CheckSettings,
    check_detection_alarm,
    check_route53_health,
    run_checks,
)


class _Stub:
    def __init__(self, **answers: Any):
        self.answers = answers

    def __getattr__(self, name: str) -> Any:
        answer = self.answers[name]
        if isinstance(answer, Exception):
            def fail(**_: Any) -> Any:
                raise answer
            return fail
        return lambda **_: answer


def _factory(**services: _Stub) -> Any:
    return lambda service, region: services[service]


ALARM = {"MetricAlarms": [{"StateValue": "OK", "Dimensions": [{"Name": "HealthCheckId", "Value": "hc-1"}]}]}


def test_route53_check_fails_when_most_checkers_report_failure():
    observations = [{"StatusReport": {"Status": "Failure: HTTP Status Code 503"}}] * 5 + \
        [{"StatusReport": {"Status": "Success: HTTP Status Code 200"}}] * 3
    clients = _factory(cloudwatch=_Stub(describe_alarms=ALARM),
                       route53=_Stub(get_health_check_status={"HealthCheckObservations": observations},
                                     get_health_check={"HealthCheck": {"HealthCheckConfig": {"Type": "HTTPS"}}}))
    result = check_route53_health(clients, CheckSettings())
    assert not result.ok and result.detail == "hc-1: 3/8 checkers report Success"
    assert "ROUTE53_HEALTHCHECKS" in result.fix and "/api/health" in result.fix


def test_route53_check_reads_the_endpoint_behind_the_calculated_detection_check():
    # The alarm watches seoul's stable detection check; checker status exists on its child only.
    seen: list[str] = []

    def status(**kwargs: Any) -> Any:
        seen.append(kwargs["HealthCheckId"])
        return {"HealthCheckObservations": [{"StatusReport": {"Status": "Success: HTTP Status Code 200"}}]}

    route53 = _Stub(get_health_check={"HealthCheck": {"HealthCheckConfig": {
        "Type": "CALCULATED", "ChildHealthChecks": ["hc-endpoint"], "HealthThreshold": 1}}})
    route53.get_health_check_status = status  # type: ignore[attr-defined]
    result = check_route53_health(_factory(cloudwatch=_Stub(describe_alarms=ALARM), route53=route53),
                                  CheckSettings())
    assert result.ok and seen == ["hc-endpoint"] and result.detail.startswith("hc-endpoint: 1/1")


SHAPE = {"Namespace": "AWS/Route53", "MetricName": "HealthCheckStatus", "Statistic": "Minimum",
         "ComparisonOperator": "LessThanThreshold", "Threshold": 1.0}
ENDPOINT = {"Type": "HTTPS", "ResourcePath": "/api/health"}
DETECTION = {"Type": "CALCULATED", "ChildHealthChecks": ["hc-1"], "HealthThreshold": 1}
LOCK_CALCULATED = {"Type": "CALCULATED", "ChildHealthChecks": ["hc-1", "hc-lock"], "HealthThreshold": 2}


class _Route53:
    """get_health_check by id, as Route53 answers it (NoSuchHealthCheck for an unknown id)."""

    def __init__(self, **checks: dict[str, Any]):
        self.checks = checks

    def get_health_check(self, HealthCheckId: str) -> Any:  # noqa: N803 - boto3's keyword
        if HealthCheckId not in self.checks:
            raise ClientError({"Error": {"Code": "NoSuchHealthCheck", "Message": "gone"}}, "GetHealthCheck")
        return {"HealthCheck": {"Id": HealthCheckId, "HealthCheckConfig": self.checks[HealthCheckId]}}


def _detection(state: str = "OK", watched: str = "hc-detect", **settings: str) -> Any:
    alarm = {"MetricAlarms": [{**SHAPE, "StateValue": state,
                               "Dimensions": [{"Name": "HealthCheckId", "Value": watched}]}]}
    route53 = _Route53(**{"hc-1": ENDPOINT, "hc-detect": DETECTION, "hc-lockcalc": LOCK_CALCULATED})
    return check_detection_alarm(_factory(cloudwatch=_Stub(describe_alarms=alarm), route53=route53),
                                 CheckSettings(**settings))


def test_detection_alarm_on_seouls_detection_check_passes_and_names_the_endpoint_behind_it():
    result = _detection(health_check_id="hc-1", detection_health_check_id="hc-detect")
    assert result.ok and "watches detection check hc-detect (endpoint hc-1), is OK" in result.detail


def test_detection_alarm_without_data_fails_with_the_endpoint_status_command():
    result = _detection(state="INSUFFICIENT_DATA", health_check_id="hc-1")
    assert not result.ok and "is INSUFFICIENT_DATA" in result.detail
    # Route53 keeps checker status on the endpoint check, not on the calculated one.
    assert "`aws route53 get-health-check-status --health-check-id hc-1`" in result.fix


def test_detection_alarm_without_dimension_names_the_expected_dimension():
    alarm = {"MetricAlarms": [{**SHAPE, "StateValue": "OK", "Dimensions": []}]}
    result = check_detection_alarm(_factory(cloudwatch=_Stub(describe_alarms=alarm)), CheckSettings())
    assert not result.ok and "expected exactly HealthCheckId of seoul's detection check" in result.detail


def test_detection_alarm_in_alarm_points_at_the_failover_checklist():
    result = _detection(state="ALARM")
    assert not result.ok and result.detail.endswith("is ALARM (the primary is failing)")
    assert "`drctl status`" in result.fix


def test_detection_alarm_on_the_endpoint_check_itself_fails_naming_the_stable_check():
    # An alarm from before day two: a replaced endpoint check would leave it without data.
    result = _detection(watched="hc-1")
    assert not result.ok and "HealthCheckId hc-1 is a HTTPS check (expected seoul's detection check" in result.detail
    assert "detectionHealthCheckId" in result.fix and "pulumi up --stack seoul" in result.fix


def test_detection_alarm_on_the_lock_calculated_check_fails():
    result = _detection(watched="hc-lockcalc")
    assert not result.ok and "not the lock's calculated check" in result.detail


def test_detection_alarm_on_another_detection_check_than_seoul_exported_fails():
    result = _detection(detection_health_check_id="hc-other")
    assert not result.ok and "HealthCheckId hc-detect (expected seoul's detection check hc-other)" in result.detail


def test_detection_check_following_another_endpoint_fails():
    result = _detection(health_check_id="hc-9")
    assert not result.ok and "detection check hc-detect follows hc-1 (expected the endpoint check hc-9)" \
        in result.detail


def test_detection_alarm_on_a_deleted_check_fails():
    result = _detection(watched="hc-gone")
    assert not result.ok and "HealthCheckId hc-gone does not exist" in result.detail


def test_access_denied_fails_that_check_only_and_says_what_to_grant():
    denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "DescribeAlarms")
    clients = _factory(cloudwatch=_Stub(describe_alarms=denied))
    results = run_checks(clients, CheckSettings(), only=("detection-alarm",), reachable=lambda region: None)
    assert [(r.name, r.ok) for r in results] == [("detection-alarm", False)]
    assert results[0].detail == "AccessDeniedException: no" and "read access" in results[0].fix


def test_web_check_url_follows_the_alb_listener_settings():
    # GIVEN the stack's certificate setting, WHEN no --url is given, THEN the check asks the public
    # name with the scheme of the ALB's forwarding listener: HTTPS only with a certificate
    from drctl.config import load_stack
    from failover.checks import check_web_root

    cert = "arn:aws:acm:ap-northeast-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
    asked: list[str] = []

    def get(url: str, timeout: float) -> int:
        asked.append(url)
        return 200

    for overrides in ([], [f"alb.certificateArn={cert}"], ["dns.recordName=www.pilotlight-test.click"]):
        assert check_web_root(load_stack("tokyo", overrides).checks, get).ok
    assert asked == ["http://pilotlight-test.click/", "https://pilotlight-test.click/",
                     "http://www.pilotlight-test.click/"]
