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
                       route53=_Stub(get_health_check_status={"HealthCheckObservations": observations}))
    result = check_route53_health(clients, CheckSettings())
    assert not result.ok and result.detail == "hc-1: 3/8 checkers report Success"
    assert "ROUTE53_HEALTHCHECKS" in result.fix and "/api/health" in result.fix


def test_detection_alarm_without_data_fails_with_the_dimension_fix():
    alarm = {"MetricAlarms": [{"StateValue": "INSUFFICIENT_DATA", "Dimensions": []}]}
    result = check_detection_alarm(_factory(cloudwatch=_Stub(describe_alarms=alarm)), CheckSettings())
    assert not result.ok and "is INSUFFICIENT_DATA" in result.detail
    assert "HealthCheckId dimension" in result.fix


def test_access_denied_fails_that_check_only_and_says_what_to_grant():
    denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "DescribeAlarms")
    clients = _factory(cloudwatch=_Stub(describe_alarms=denied))
    results = run_checks(clients, CheckSettings(), only=("detection-alarm",))
    assert [(r.name, r.ok) for r in results] == [("detection-alarm", False)]
    assert results[0].detail == "AccessDeniedException: no" and "read access" in results[0].fix
