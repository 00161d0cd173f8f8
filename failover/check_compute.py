"""The Tokyo tiers: launch templates (decoded user data), ASGs, load balancers, targets, AMI.

User data is judged by what the machine will run: the script is decoded and its env file,
`.env.production` and PM2 processes are read back (`userdata.render.script_facts`), then compared
with the same facts of the script the stack renders from the same settings.
"""

from __future__ import annotations

from typing import Any

from failover import facts
from failover.check_core import (
    NLB_PLACEHOLDER,
    PLACEHOLDER_MARK,
    CheckFailedError,
    CheckResult,
    CheckSettings,
    ClientFactory,
    asgs,
    decode_user_data,
    image,
    latest_version,
    load_balancer,
    lt_versions,
    stack_hint,
    tag,
)
from failover.contract import NLB_ON_FAILOVER, NLB_STANDBY
from userdata.render import (
    AppUserData,
    ScriptFacts,
    WebUserData,
    internal_api_url,
    render_app,
    render_web,
    script_facts,
)

_ANY_NLB = "nlb.invalid"  # INTERNAL_API_URL is internal-api-url's fact; user-data compares the rest


def _restore(s: CheckSettings, refresh: bool = False) -> str:
    return f"`pulumi up --stack {stack_hint(s)}{' --refresh' if refresh else ''}`"


def expected_facts(s: CheckSettings, role: str, nlb_dns: str = _ANY_NLB) -> ScriptFacts:
    """The facts of the user data the stack renders for `role` (stacks.py, userdata/render.py)."""
    if role == "web":
        return script_facts(render_web(WebUserData(
            region=s.dr_region, internal_api_url=internal_api_url(nlb_dns, s.app_port),
            app_dir=s.web_app_dir, pm2_name=s.web_pm2_name, env_file=s.web_env_file, port=s.web_port)))
    return script_facts(render_app(AppUserData(
        region=s.dr_region, port=s.app_port, tables=s.tables, recovery_mode=s.recovery_mode,
        app_dir=s.app_app_dir, pm2_name=s.app_pm2_name, env_file=s.app_env_file)))


def _compare(expected: ScriptFacts, actual: ScriptFacts, skip: tuple[str, ...] = ()) -> list[str]:
    problems = []
    if set(actual.processes) != set(expected.processes):
        problems.append(f"PM2 starts {sorted(actual.processes) or 'nothing'} "
                        f"(expected {sorted(expected.processes)})")
    have_sources = actual.sources()
    for source, wanted in expected.sources().items():
        have = have_sources.get(source)
        if have is None:
            if not source.startswith("pm2 "):
                problems.append(f"{source}: not written")
            continue
        for key in sorted(set(wanted) | set(have)):
            if key in skip:
                continue
            if key not in have:
                problems.append(f"{source}: {key} missing (expected {wanted[key]})")
            elif key not in wanted:
                problems.append(f"{source}: unexpected {key}={have[key]}")
            elif have[key] != wanted[key]:
                problems.append(f"{source}: {key}={have[key]} (expected {wanted[key]})")
    return problems


def check_user_data(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """Each template's $Latest starts the right PM2 process with the right region, port, tables
    and recovery mode, in the env file, `.env.production` and the PM2 environment alike."""
    name = "user-data"
    problems, lines = [], []
    for role, lt_name in (("web", s.web_launch_template), ("app", s.app_launch_template)):
        latest = latest_version(clients, s, lt_name)
        actual = script_facts(decode_user_data(latest))
        found = _compare(expected_facts(s, role), actual, skip=("INTERNAL_API_URL",))
        number = latest["VersionNumber"]
        if found:
            problems.append(f"{lt_name} $Latest v{number}: " + "; ".join(found))
        else:
            lines.append(f"{lt_name} $Latest v{number}: {', '.join(sorted(actual.processes))} as declared")
    if problems:
        return CheckResult(name, False, " | ".join(problems), fix=(
            f"the user data is rendered by userdata/render.py from the stack settings: "
            f"{_restore(s, refresh=True)} writes a new $Latest version, then replace running "
            f"instances (when the tier runs): `aws autoscaling start-instance-refresh "
            f"--auto-scaling-group-name {s.app_asg} --region {s.dr_region}` and the same for {s.web_asg}"))
    return CheckResult(name, True, "; ".join(lines))


def _nlb_dns_expected(clients: ClientFactory, s: CheckSettings) -> str | None:
    nlb = load_balancer(clients, s, s.nlb_name)
    return str(nlb["DNSName"]) if nlb else None


def check_internal_api_url(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "internal-api-url"
    latest = latest_version(clients, s, s.web_launch_template)
    actual = script_facts(decode_user_data(latest))
    number = latest["VersionNumber"]
    urls = {src: env.get("INTERNAL_API_URL", "missing") for src, env in actual.sources().items()}
    shown = ", ".join(sorted(set(urls.values()))) or "nothing"
    dns = _nlb_dns_expected(clients, s)
    if dns is None:
        if s.nlb_mode == NLB_ON_FAILOVER and urls and all(NLB_PLACEHOLDER in u for u in urls.values()):
            return CheckResult(name, True, f"$Latest v{number} waits for the NLB ({NLB_PLACEHOLDER}; "
                               "nlb.mode on-failover)")
        if s.nlb_mode == NLB_ON_FAILOVER:
            return CheckResult(name, False, f"$Latest v{number} INTERNAL_API_URL={shown}, expected "
                               f"{NLB_PLACEHOLDER} until step 1 creates {s.nlb_name}",
                               fix=f"{_restore(s, refresh=True)} restores the template with "
                                   f"{NLB_PLACEHOLDER}")
        return CheckResult(name, False, f"NLB {s.nlb_name} not found in {s.dr_region} (nlb.mode standby); "
                           f"$Latest v{number} INTERNAL_API_URL={shown} cannot be checked",
                           fix=f"{_restore(s)} recreates the standby NLB and renders the template with "
                               "its DNS name")
    expected = internal_api_url(dns, s.app_port)
    wrong = {src: u for src, u in urls.items() if u != expected}
    detail = f"$Latest v{number} INTERNAL_API_URL={shown}"
    if urls and not wrong:
        return CheckResult(name, True, detail + " (matches the NLB)")
    where = ", ".join(f"{src}={u}" for src, u in wrong.items()) or "no env file, .env.production or PM2 start"
    how = (f"{_restore(s, refresh=True)} renders $Latest with it" if s.nlb_mode == NLB_STANDBY else
           f"step 2 of a failover writes it from {NLB_PLACEHOLDER}; outside a run "
           f"{_restore(s, refresh=True)} restores the declared template")
    return CheckResult(name, False, f"{detail}: {where}; expected {expected}", fix=(
        f"6.3: the current NLB DNS is {dns}: {how}, then replace running web instances with "
        f"`aws autoscaling start-instance-refresh --auto-scaling-group-name {s.web_asg} "
        f"--region {s.dr_region}`"))


def check_launch_template_placeholder(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """3.4: $Latest holds NLB_DNS_PLACEHOLDER exactly when step 2 still has to fill it (nlb.mode
    on-failover before the NLB exists); in standby the NLB's presence is nlb-listener's fact."""
    name = "launch-template-placeholder"
    waiting = s.nlb_mode == NLB_ON_FAILOVER and load_balancer(clients, s, s.nlb_name) is None
    lines, problems = [], []
    for lt_name in (s.web_launch_template, s.app_launch_template):
        versions = lt_versions(clients, s.dr_region, lt_name)
        if not versions:
            raise CheckFailedError(f"launch template {lt_name} not found in {s.dr_region}", _restore(s))
        latest = versions[-1]
        marked = [int(v["VersionNumber"]) for v in versions if PLACEHOLDER_MARK in decode_user_data(v)]
        number = int(latest["VersionNumber"])
        in_latest = PLACEHOLDER_MARK in decode_user_data(latest)
        lines.append(f"{lt_name}: PLACEHOLDER in versions [{', '.join(map(str, marked)) or 'none'}], "
                     f"$Latest=v{number} {'has' if in_latest else 'has no'} PLACEHOLDER")
        if lt_name == s.web_launch_template and waiting and not in_latest:
            problems.append(f"{lt_name} $Latest v{number} has no {NLB_PLACEHOLDER} but the NLB does not "
                            "exist yet: step 2 would have nothing to replace")
        elif in_latest and not (lt_name == s.web_launch_template and waiting):
            problems.append(f"{lt_name} $Latest v{number} still holds PLACEHOLDER")
    detail = "; ".join(lines)
    if not problems:
        return CheckResult(name, True, detail)
    return CheckResult(name, False, "; ".join(problems) + " — " + detail, fix=(
        "3.4: step 2 reads Versions=['$Latest'], never a pinned number; "
        f"{_restore(s, refresh=True)} writes the declared template as $Latest "
        f"({NLB_PLACEHOLDER} only when nlb.mode is on-failover)"))


def _template_of(clients: ClientFactory, s: CheckSettings, group: dict[str, Any]) -> tuple[str, str]:
    spec = group.get("LaunchTemplate") or group.get("MixedInstancesPolicy", {}).get(
        "LaunchTemplate", {}).get("LaunchTemplateSpecification", {})
    lt_name = spec.get("LaunchTemplateName", "")
    if not lt_name and spec.get("LaunchTemplateId"):
        found = clients("ec2", s.dr_region).describe_launch_templates(
            LaunchTemplateIds=[spec["LaunchTemplateId"]]).get("LaunchTemplates", [])
        lt_name = found[0]["LaunchTemplateName"] if found else spec["LaunchTemplateId"]
    return lt_name or "none", str(spec.get("Version") or "$Default")


def check_asg_latest(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """Each ASG launches its own tier's template at $Latest, so it runs what step 2 writes."""
    name = "asg-launch-template-version"
    groups = asgs(clients, s)
    lines, fixes, problems = [], [], []
    for asg, lt in ((s.web_asg, s.web_launch_template), (s.app_asg, s.app_launch_template)):
        group = groups.get(asg)
        if group is None:
            problems.append(f"{asg} missing")
            fixes.append(_restore(s))
            continue
        lt_name, version = _template_of(clients, s, group)
        lines.append(f"{asg} -> {lt_name} {version}")
        if lt_name != lt or version != "$Latest":
            problems.append(f"{asg} -> {lt_name} {version} (expected {lt} $Latest)")
            fixes.append(f"`aws autoscaling update-auto-scaling-group --auto-scaling-group-name {asg} "
                         f"--launch-template LaunchTemplateName={lt},Version='$Latest' "
                         f"--region {s.dr_region}`")
    if not problems:
        return CheckResult(name, True, "; ".join(lines))
    return CheckResult(name, False, "; ".join(problems), fix="3.1/3.4: each ASG must follow its own "
                       "template's $Latest so it launches what step 2 writes: " + "; ".join(fixes))


def _listeners(clients: ClientFactory, s: CheckSettings, lb_arn: str) -> dict[int, dict[str, Any]]:
    found = clients("elbv2", s.dr_region).describe_listeners(LoadBalancerArn=lb_arn).get("Listeners", [])
    return {int(x["Port"]): x for x in found}


def _target_group(clients: ClientFactory, s: CheckSettings, arn: str) -> dict[str, Any]:
    """The group with its Name tag: the program names declared groups from a prefix (a replacement
    never collides), and the documents' `<lb name>-TG` is their Name tag."""
    elbv2 = clients("elbv2", s.dr_region)
    groups = elbv2.describe_target_groups(TargetGroupArns=[arn]).get("TargetGroups", [])
    if not groups:
        return {}
    described = elbv2.describe_tags(ResourceArns=[arn]).get("TagDescriptions", [])
    tags = {t["Key"]: t["Value"] for d in described for t in d.get("Tags", [])}
    return {**groups[0], "NameTag": tags.get("Name", "")}


def _documented_name(group: dict[str, Any]) -> str:
    return str(group.get("NameTag") or group.get("TargetGroupName") or "")


def _forward_problems(clients: ClientFactory, s: CheckSettings, label: str, listener: dict[str, Any],
                      lb_name: str, port: int, protocol: str) -> list[str]:
    actions = listener.get("DefaultActions", [])
    forward = next((a for a in actions if a.get("Type") == "forward"), None)
    if forward is None:
        return [f"{label} does not forward (actions {[a.get('Type') for a in actions]})"]
    arn = forward.get("TargetGroupArn") or next(
        (g.get("TargetGroupArn") for g in forward.get("ForwardConfig", {}).get("TargetGroups", [])), "")
    group = _target_group(clients, s, arn) if arn else {}
    tg_name = facts.target_group_name(lb_name)
    problems = []
    if _documented_name(group) != tg_name:
        problems.append(f"{label} forwards to {_documented_name(group) or arn or 'nothing'} "
                        f"(expected the group named or tagged Name={tg_name})")
    elif group.get("Port") != port or group.get("Protocol") != protocol:
        problems.append(f"{tg_name} is {group.get('Protocol')} {group.get('Port')} "
                        f"(expected {protocol} {port})")
    elif protocol == "HTTP" and group.get("HealthCheckPath") != s.health_path:
        problems.append(f"{tg_name} health check path {group.get('HealthCheckPath')} "
                        f"(expected {s.health_path})")
    return problems


def check_alb(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """The public ALB exists with the listeners the settings declare (facts.public_listeners) and
    forwards to the web target group on the web port."""
    name = "alb-listeners"
    alb = load_balancer(clients, s, s.alb_name)
    if alb is None:
        return CheckResult(name, False, f"ALB {s.alb_name} not found in {s.dr_region}",
                           fix=f"{_restore(s)} recreates it (and the SECONDARY record follows its new "
                               "DNS name)")
    problems = []
    if alb.get("Type") != "application" or alb.get("Scheme") != "internet-facing":
        problems.append(f"{s.alb_name} is {alb.get('Scheme')} {alb.get('Type')} "
                        "(expected internet-facing application)")
    listeners = _listeners(clients, s, alb["LoadBalancerArn"])
    for want in facts.public_listeners(bool(s.certificate_arn)):
        have = listeners.get(want.port)
        label = f"listener {want.port}"
        if have is None:
            problems.append(f"{label} missing")
            continue
        if have.get("Protocol") != want.protocol:
            problems.append(f"{label} is {have.get('Protocol')} (expected {want.protocol})")
        elif want.action == "redirect":
            redirect = next((a.get("RedirectConfig", {}) for a in have.get("DefaultActions", [])
                             if a.get("Type") == "redirect"), None)
            if redirect is None or str(redirect.get("Port")) != want.redirect_port or \
                    redirect.get("Protocol") != want.redirect_protocol:
                problems.append(f"{label} does not redirect to {want.redirect_protocol} {want.redirect_port}")
        else:
            problems += _forward_problems(clients, s, label, have, s.alb_name, s.web_port, "HTTP")
    if problems:
        return CheckResult(name, False, f"{s.alb_name}: " + "; ".join(problems), fix=f"{_restore(s)} "
                           "restores the declared listeners and target group")
    shown = ", ".join(f"{x.protocol} {x.port} {x.action}"
                      for x in facts.public_listeners(bool(s.certificate_arn)))
    return CheckResult(name, True, f"{s.alb_name}: {shown} -> {facts.target_group_name(s.alb_name)} "
                       f"HTTP {s.web_port}")


def check_nlb(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """The internal NLB listens on the app port and forwards to the app target group (standby; in
    mode on-failover step 1 creates it, so its absence before a failover is the ready state)."""
    name = "nlb-listener"
    nlb = load_balancer(clients, s, s.nlb_name)
    if nlb is None:
        if s.nlb_mode == NLB_ON_FAILOVER:
            return CheckResult(name, True, f"{s.nlb_name} absent: step 1 creates it (nlb.mode on-failover)")
        return CheckResult(name, False, f"NLB {s.nlb_name} not found in {s.dr_region} (nlb.mode standby)",
                           fix=f"{_restore(s)} recreates the standby NLB")
    problems = []
    if nlb.get("Type") != "network" or nlb.get("Scheme") != "internal":
        problems.append(f"{s.nlb_name} is {nlb.get('Scheme')} {nlb.get('Type')} (expected internal network)")
    listeners = _listeners(clients, s, nlb["LoadBalancerArn"])
    have = listeners.get(s.app_port)
    if have is None:
        problems.append(f"no listener on {s.app_port} (listeners on {sorted(listeners) or 'none'})")
    else:
        if have.get("Protocol") != "TCP":
            problems.append(f"listener {s.app_port} is {have.get('Protocol')} (expected TCP)")
        problems += _forward_problems(clients, s, f"listener {s.app_port}", have, s.nlb_name,
                                      s.app_port, "TCP")
    if problems:
        fix = (f"{_restore(s)} restores the declared listener" if s.nlb_mode == NLB_STANDBY else
               f"step 1 created this NLB; while Tokyo is idle, delete it with "
               f"`aws elbv2 delete-load-balancer --load-balancer-arn {nlb['LoadBalancerArn']} "
               f"--region {s.dr_region}` and the next "
               "failover's step 1 creates it as declared")
        return CheckResult(name, False, f"{s.nlb_name}: " + "; ".join(problems), fix=fix)
    return CheckResult(name, True, f"{s.nlb_name}: TCP {s.app_port} -> {facts.target_group_name(s.nlb_name)}")


def check_target_health(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "target-health"
    elbv2 = clients("elbv2", s.dr_region)
    desired = sum(int(g.get("DesiredCapacity", 0)) for g in asgs(clients, s).values())
    lb_arns, missing = [], []
    for lb_name, required in ((s.alb_name, True), (s.nlb_name, s.nlb_mode == NLB_STANDBY)):
        lb = load_balancer(clients, s, lb_name)
        if lb is not None:
            lb_arns.append(lb["LoadBalancerArn"])
        elif required:
            missing.append(lb_name)
    if missing:
        return CheckResult(name, False, f"{', '.join(missing)} not found in {s.dr_region}: no targets to "
                           "check", fix=f"{_restore(s)} recreates the load balancers")
    counts: dict[str, int] = {}
    bad: list[str] = []
    for arn in lb_arns:
        for tg in elbv2.describe_target_groups(LoadBalancerArn=arn).get("TargetGroups", []):
            for desc in elbv2.describe_target_health(TargetGroupArn=tg["TargetGroupArn"]).get(
                    "TargetHealthDescriptions", []):
                state = desc.get("TargetHealth", {}).get("State", "unknown")
                counts[state] = counts.get(state, 0) + 1
                if state != "healthy":
                    bad.append(f"{tg['TargetGroupName']}:{desc['Target']['Id']}={state}")
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "no targets"
    detail = f"{summary}; ASG desired total {desired}"
    if not bad and (desired == 0 or counts.get("healthy", 0) > 0):
        return CheckResult(name, True, detail + (" (pilot light at 0)" if desired == 0 else ""))
    return CheckResult(name, False, detail + (f" — {'; '.join(bad)}" if bad else ""), fix=(
        f"section 5 step 3: `aws elbv2 describe-target-groups --load-balancer-arn {lb_arns[-1]} "
        f"--region {s.dr_region}` gives the target group ARN to read with describe-target-health "
        "(the groups are named from a prefix and tagged with the documents' names); on the instance read "
        f"/var/log/user-data.log and the PM2 list, and query {s.health_path} on port {s.app_port} (6.5)"))


def check_golden_ami(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """The Tokyo copy (read in Tokyo) is available, is what both templates launch, and carries the
    tags the program sets on it (Build, SourceAmiId): nothing is read from Seoul."""
    name = "golden-ami"
    copy_fix = (f"{_restore(s)} copies the Seoul Golden AMI into {s.dr_region} (components/golden_ami.py) "
                "and points both templates at it")
    images = {lt: str(latest_version(clients, s, lt).get("LaunchTemplateData", {}).get("ImageId", ""))
              for lt in (s.web_launch_template, s.app_launch_template)}
    image_id = s.golden_ami_id or images[s.web_launch_template]
    found = image(clients, s.dr_region, image_id) if image_id else None
    if found is None:
        return CheckResult(name, False, f"AMI {image_id or '(none in $Latest)'} not found in {s.dr_region}",
                           fix=copy_fix)
    problems = []
    if found.get("State") != "available":
        problems.append(f"{image_id} is {found.get('State')}")
    for lt, launched in images.items():
        if launched != image_id:
            problems.append(f"{lt} $Latest launches {launched or 'no image'} (expected {image_id})")
    build, source = tag(found, s.build_tag_key), tag(found, s.source_tag_key)
    if s.expected_build and build != s.expected_build:
        problems.append(f"{s.build_tag_key}={build or 'missing'} (expected {s.expected_build})")
    if s.primary_ami_id and source and source != s.primary_ami_id:
        problems.append(f"{s.source_tag_key}={source} (expected {s.primary_ami_id})")
    if problems:
        return CheckResult(name, False, "; ".join(problems), fix="2.3/000: Tokyo must run the same "
                           "Golden AMI build as Seoul: " + copy_fix)
    return CheckResult(name, True, f"{image_id} available in {s.dr_region}, {s.build_tag_key}="
                       f"{build or 'not tagged'}{f' from {source}' if source else ''}, launched by both "
                       "templates")


def check_golden_ami_source(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """Seoul's Golden AMI the copy came from still exists (a Seoul-only check)."""
    name = "golden-ami-source"
    copy_id = s.golden_ami_id or str(latest_version(clients, s, s.web_launch_template).get(
        "LaunchTemplateData", {}).get("ImageId", ""))
    copy = image(clients, s.dr_region, copy_id) if copy_id else None
    source = s.primary_ami_id or (tag(copy, s.source_tag_key) if copy else "")
    if not source:
        return CheckResult(name, True, "no source AMI recorded (ami.id names an AMI already in "
                           f"{s.dr_region})")
    found = image(clients, s.primary_region, source)
    if found is None or found.get("State") != "available":
        state = found.get("State") if found else "not found"
        return CheckResult(name, False, f"{source} in {s.primary_region}: {state}", fix=(
            "the next Golden AMI copy has no source: rebuild the Golden AMI in Seoul (000 section 4.1), "
            f"set megaticket-dr:ami.build, then `pulumi up --stack {s.primary_stack_name}` and "
            f"{_restore(s)}"))
    return CheckResult(name, True, f"{source} available in {s.primary_region}")
