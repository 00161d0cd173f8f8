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


def test_detection_alarm_without_data_fails_with_the_health_check_status_command():
    alarm = {"MetricAlarms": [{**SHAPE, "StateValue": "INSUFFICIENT_DATA",
                               "Dimensions": [{"Name": "HealthCheckId", "Value": "hc-1"}]}]}
    result = check_detection_alarm(_factory(cloudwatch=_Stub(describe_alarms=alarm)),
                                   CheckSettings(health_check_id="hc-1"))
    assert not result.ok and "is INSUFFICIENT_DATA" in result.detail
    assert "`aws route53 get-health-check-status --health-check-id hc-1`" in result.fix


def test_detection_alarm_without_dimension_names_the_expected_dimension():
    alarm = {"MetricAlarms": [{**SHAPE, "StateValue": "OK", "Dimensions": []}]}
    result = check_detection_alarm(_factory(cloudwatch=_Stub(describe_alarms=alarm)), CheckSettings())
    assert not result.ok and "expected exactly HealthCheckId of the endpoint check" in result.detail


def test_detection_alarm_in_alarm_points_at_the_failover_checklist():
    alarm = {"MetricAlarms": [{**SHAPE, "StateValue": "ALARM",
                               "Dimensions": [{"Name": "HealthCheckId", "Value": "hc-1"}]}]}
    result = check_detection_alarm(_factory(cloudwatch=_Stub(describe_alarms=alarm)),
                                   CheckSettings(health_check_id="hc-1"))
    assert not result.ok and result.detail.endswith("is ALARM (the primary is failing)")
    assert "`drctl status`" in result.fix


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
