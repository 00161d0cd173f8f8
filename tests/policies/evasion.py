"""Evasion and false-positive fixtures for the user data and version guardrails, by category.

Each fixture is one resource as the program would declare it (camelCase inputs), and what a careful
reviewer expects the pack to say about it: {policy: number of violations}. Policies not named
expect none. `FROM_OUTPUT` stands for a value computed from another resource's Output (the
engine's unknown in `pulumi preview`, a ⟨marker⟩ in the offline preview before it maps it).

Categories: encodings, MIME and cloud-config, dotenv syntax, writers (printf/sed/tee/bash -c ...),
variable indirection, resource types, region-specific kinds, pinned versions, what cannot be seen,
and false positives (comments, unrelated variables, log lines).
"""

from __future__ import annotations

import base64
import gzip
import json
import textwrap
from dataclasses import dataclass, field
from typing import Any

from tests.policies.resources import TOKYO

URL = "no-next-public-build-time-urls"
NEXT_ADVISORY = "next-public-set-at-boot"
PINNED = "no-pinned-launch-template-version"
HIDDEN = "user-data-fully-visible"
REGION = "user-data-region-matches-provider"
INTERNAL = "internal-api-url-in-own-region"
CREDENTIALS = "no-credentials-in-user-data"
JUDGED = (URL, NEXT_ADVISORY, PINNED, HIDDEN, REGION, INTERNAL, CREDENTIALS)

LT = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
INSTANCE = "aws:ec2/instance:Instance"
SPOT_INSTANCE = "aws:ec2/spotInstanceRequest:SpotInstanceRequest"
LAUNCH_CONFIG = "aws:ec2/launchConfiguration:LaunchConfiguration"
SPOT_FLEET = "aws:ec2/spotFleetRequest:SpotFleetRequest"
FLEET = "aws:ec2/fleet:Fleet"
LIGHTSAIL = "aws:lightsail/instance:Instance"
RECIPE = "aws:imagebuilder/imageRecipe:ImageRecipe"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
BATCH = "aws:batch/computeEnvironment:ComputeEnvironment"
GAMELIFT = "aws:gamelift/gameServerGroup:GameServerGroup"
DISTRIBUTION = "aws:imagebuilder/distributionConfiguration:DistributionConfiguration"
LAMBDA = "aws:lambda/function:Function"
SSM = "aws:ssm/parameter:Parameter"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"

SEOUL_NLB = "MegaTicket-NLB-9f8e7d6c5b4a3921.elb.ap-northeast-2.amazonaws.com"
TOKYO_NLB = "MegaTicket-DR-NLB-0a1b2c3d4e5f6a7b.elb.ap-northeast-1.amazonaws.com"
IMDS = {"httpTokens": "required", "httpEndpoint": "enabled"}


class _FromOutput:
    def __repr__(self) -> str:
        return "FROM_OUTPUT"


FROM_OUTPUT: Any = _FromOutput()


@dataclass(frozen=True)
class Fixture:
    id: str
    category: str
    type: str
    props: dict[str, Any]
    expected: dict[str, int] = field(default_factory=dict)
    region: str = TOKYO
    ignore_changes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"fx-{self.id}"


def b64(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return base64.b64encode(data).decode()


def gz(text: str) -> bytes:
    return gzip.compress(text.encode(), mtime=0)


def script(body: str) -> str:
    return "#!/bin/bash\nset -euo pipefail\n" + textwrap.dedent(body).lstrip("\n")


def mime(*parts: tuple[str, str], encode_part: bool = False) -> str:
    out = ['Content-Type: multipart/mixed; boundary="//MT//"', "MIME-Version: 1.0", ""]
    for content_type, body in parts:
        out += ["--//MT//", f'Content-Type: {content_type}; charset="us-ascii"']
        if encode_part:
            out += ["Content-Transfer-Encoding: base64", "", b64(body)]
        else:
            out += ["", body]
    out += ["--//MT//--", ""]
    return "\n".join(out)


def lt(user_data: str, *, encoded: str | None = None, **extra: Any) -> dict[str, Any]:
    """Launch template inputs: user data base64 (the provider's contract) unless `encoded` is given."""
    return {"name": "MegaTicket-DR-Web-LT", "imageId": "ami-0a1b2c3d4e5f6a7b8", "instanceType": "t3.small",
            "metadataOptions": IMDS, "userData": encoded if encoded is not None else b64(user_data), **extra}


def _fx(id_: str, category: str, type_: str, props: dict[str, Any], expected: dict[str, int] | None = None,
        **kw: Any) -> Fixture:
    return Fixture(id_, category, type_, props, expected or {}, **kw)


API = f"http://{SEOUL_NLB}:3001"
CREDENTIALS_FILE = b64("[default]\naws_access_key_id = AKIAABCDEFGHIJKLMNOP\n")
NEXT_URL_LINE = f"export NEXT_PUBLIC_API_URL={API}\n"

FIXTURES: list[Fixture] = [
    # ------------------------------------------------------------------ encodings
    _fx("b64-plain", "encoding", LT, lt(script(NEXT_URL_LINE)), {URL: 1}),
    _fx("gzip-b64", "encoding", LT, lt("", encoded=b64(gz(script(NEXT_URL_LINE)))), {URL: 1}),
    _fx("double-b64", "encoding", LT, lt("", encoded=b64(b64(script(NEXT_URL_LINE)))), {URL: 1}),
    _fx("b64-wrapped-76", "encoding", LT,
        lt("", encoded="\n".join(b64(script(NEXT_URL_LINE * 3))[i:i + 76]
                                 for i in range(0, len(b64(script(NEXT_URL_LINE * 3))), 76))), {URL: 1}),
    _fx("b64-of-gzip-of-b64", "encoding", LT, lt("", encoded=b64(gz(b64(script(NEXT_URL_LINE))))), {URL: 1}),
    _fx("not-encoded", "encoding", LT, lt("", encoded=script(NEXT_URL_LINE)), {URL: 1}),
    _fx("embedded-blob-piped-to-bash", "encoding", LT, lt(script(
        f"echo {b64(NEXT_URL_LINE)} | base64 -d | bash\n")), {URL: 1}),
    _fx("embedded-blob-to-env-file", "encoding", LT, lt(script(
        f"echo '{b64('NEXT_PUBLIC_API_URL=' + API)}' | base64 --decode > /app/.env.production\n")), {URL: 1}),
    _fx("embedded-gzip-blob", "encoding", LT, lt(script(
        f"echo {b64(gz(NEXT_URL_LINE))} | base64 -d | gunzip | bash\n")), {URL: 1}),
    # ------------------------------------------------------------------ MIME and cloud-config
    _fx("mime-shell-part", "mime", LT, lt(mime(("text/x-shellscript", script(NEXT_URL_LINE)))), {URL: 1}),
    _fx("mime-shell-part-base64", "mime", LT,
        lt(mime(("text/x-shellscript", script(NEXT_URL_LINE)), encode_part=True)), {URL: 1}),
    _fx("mime-second-part", "mime", LT, lt(mime(
        ("text/cloud-config", "#cloud-config\npackages: [nginx]\n"),
        ("text/x-shellscript-per-boot", script(NEXT_URL_LINE)))), {URL: 1}),
    _fx("mime-gzipped", "mime", LT,
        lt("", encoded=b64(gz(mime(("text/x-shellscript", script(NEXT_URL_LINE)))))), {URL: 1}),
    _fx("cloud-config-runcmd-string", "mime", LT, lt(
        f"#cloud-config\nruncmd:\n  - echo NEXT_PUBLIC_API_URL={API} >> /app/apps/web/.env.production\n"),
        {URL: 1}),
    _fx("cloud-config-runcmd-list", "mime", LT, lt(
        f"#cloud-config\nruncmd:\n  - [sh, -c, 'export NEXT_PUBLIC_API_URL={API} && npm start']\n"), {URL: 1}),
    _fx("cloud-config-bootcmd", "mime", LT, lt(
        "#cloud-config\nbootcmd:\n  - [cloud-init-per, once, env, sh, -c, 'echo NEXT_PUBLIC_WS=wss://ws.example.com >> /etc/environment']\n"),  # noqa: E501
        {URL: 1}),
    _fx("cloud-config-write-files", "mime", LT, lt(mime(("text/cloud-config", textwrap.dedent(f"""\
        #cloud-config
        write_files:
          - path: /home/ec2-user/megaticket/apps/web/.env.production
            owner: ec2-user:ec2-user
            content: |
              AWS_REGION=ap-northeast-1
              NEXT_PUBLIC_API_URL={API}
        """)))), {URL: 1}),
    _fx("cloud-config-write-files-b64", "mime", LT, lt(textwrap.dedent(f"""\
        #cloud-config
        write_files:
          - path: /app/.env.local
            encoding: b64
            content: {b64('NEXT_PUBLIC_API_HOST=api.pilotlight-test.click')}
        """)), {URL: 1}),
    _fx("cloud-config-write-files-gz-b64", "mime", LT, lt(textwrap.dedent(f"""\
        #cloud-config
        write_files:
          - path: /app/.env
            encoding: gz+b64
            content: {b64(gz('NEXT_PUBLIC_AWS_REGION=ap-northeast-2'))}
        """)), {URL: 1}),
    _fx("cloud-config-archive", "mime", LT, lt(
        "#cloud-config-archive\n- type: text/x-shellscript\n  content: |\n    #!/bin/sh\n"
        f"    export NEXT_PUBLIC_API_URL={API}\n"), {URL: 1}),
    _fx("jinja-template", "mime", LT, lt(
        "## template: jinja\n#!/bin/bash\nexport NEXT_PUBLIC_REGION={{ v1.region }}\n"
        f"export NEXT_PUBLIC_API_URL={API}\n"), {URL: 2}),
    _fx("boothook", "mime", LT, lt(mime(("text/cloud-boothook", "#cloud-boothook\n" + NEXT_URL_LINE))),
        {URL: 1}),
    # ------------------------------------------------------------------ dotenv syntax
    _fx("dotenv-spaces", "dotenv", LT, lt(script(f"""
        cat > /app/apps/web/.env.production <<'EOF'
        NEXT_PUBLIC_API_URL = {API}
        EOF
        """)), {URL: 1}),
    _fx("dotenv-plus-equals", "dotenv", LT, lt(script("""
        echo 'NEXT_PUBLIC_API_URL+=https://api.pilotlight-test.click' >> /app/.env
        """)), {URL: 1}),
    _fx("shell-plus-equals", "dotenv", LT, lt(script("""
        NEXT_PUBLIC_API_URL=https://
        NEXT_PUBLIC_API_URL+=api.pilotlight-test.click
        export NEXT_PUBLIC_API_URL
        """)), {URL: 1}),
    _fx("dotenv-export-quoted", "dotenv", LT, lt(script(f"""
        cat > /app/.env.local <<EOF
        export NEXT_PUBLIC_API_URL="{API}"
        EOF
        """)), {URL: 1}),
    _fx("dotenv-yaml-colon", "dotenv", LT, lt(script("""
        cat > /app/env.yml <<'EOF'
        NEXT_PUBLIC_API_URL: https://api.pilotlight-test.click
        EOF
        """)), {URL: 1}),
    _fx("pm2-ecosystem-json", "dotenv", LT, lt(script(f"""
        cat > /app/ecosystem.config.json <<'EOF'
        {{"apps": [{{"name": "web-frontend", "env": {{"NEXT_PUBLIC_API_URL": "{API}"}}}}]}}
        EOF
        """)), {URL: 1}),
    _fx("systemd-environment", "dotenv", LT, lt(script("""
        cat > /etc/systemd/system/web.service.d/env.conf <<'EOF'
        [Service]
        Environment=NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click
        EOF
        """)), {URL: 1}),
    # ------------------------------------------------------------------ writers
    _fx("printf-format", "writer", LT, lt(script(f"""
        printf 'NEXT_PUBLIC_API_URL=%s\\n' '{API}' >> /app/apps/web/.env.production
        """)), {URL: 1}),
    _fx("printf-name-and-value", "writer", LT, lt(script("""
        printf '%s=%s\\n' NEXT_PUBLIC_API_HOST api.pilotlight-test.click > .env.production
        """)), {URL: 1}),
    _fx("sed-substitute", "writer", LT, lt(script(f"""
        sed -i 's|^NEXT_PUBLIC_API_URL=.*|NEXT_PUBLIC_API_URL={API}|' /app/apps/web/.env.production
        """)), {URL: 1}),
    _fx("sed-append", "writer", LT, lt(script("""
        sed -i '$a NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click' /app/.env
        """)), {URL: 1}),
    _fx("sed-expression-flag", "writer", LT, lt(script("""
        sed -i.bak -e "s#NEXT_PUBLIC_REGION=.*#NEXT_PUBLIC_REGION=ap-northeast-2#" /app/.env
        """)), {URL: 1}),
    _fx("bash-c", "writer", LT, lt(script(f"""
        bash -c "echo NEXT_PUBLIC_API_URL={API} >> /app/.env.production"
        """)), {URL: 1}),
    _fx("sudo-u-bash-c-heredoc", "writer", LT, lt(script(f"""
        sudo -u ec2-user bash -c "cat > /home/ec2-user/app/.env.production << 'ENVEOF'
        NEXT_PUBLIC_API_URL={API}
        ENVEOF"
        """)), {URL: 1}),
    _fx("su-c", "writer", LT, lt(script("""
        su - ec2-user -c 'export NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click; npm run start'
        """)), {URL: 1}),
    _fx("tee-append-pipe", "writer", LT, lt(script("""
        echo "NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click" | sudo tee -a /app/.env > /dev/null
        """)), {URL: 1}),
    _fx("tee-heredoc", "writer", LT, lt(script("""
        tee /app/.env.production >/dev/null <<EOF
        NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click
        EOF
        """)), {URL: 1}),
    _fx("here-string-tee", "writer", LT, lt(script("""
        tee -a /app/.env <<< 'NEXT_PUBLIC_SITE=https://pilotlight-test.click'
        """)), {URL: 1}),
    _fx("echo-e-newlines", "writer", LT, lt(script("""
        echo -e "PORT=3000\\nNEXT_PUBLIC_API_URL=https://api.pilotlight-test.click" >> /app/.env
        """)), {URL: 1}),
    _fx("bash-heredoc-script", "writer", LT, lt(script(f"""
        sudo -u ec2-user bash <<'SCRIPT'
        export NEXT_PUBLIC_API_URL={API}
        pm2 start npm --name web-frontend -- start
        SCRIPT
        """)), {URL: 1}),
    _fx("eval", "writer", LT, lt(script("""
        eval "export NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click"
        """)), {URL: 1}),
    _fx("env-prefix", "writer", LT, lt(script("""
        env NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click npm run build
        """)), {URL: 1}),
    _fx("sudo-env-prefix", "writer", LT, lt(script("""
        sudo -u ec2-user NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click npm run start
        """)), {URL: 1}),
    _fx("systemctl-set-environment", "writer", LT, lt(script("""
        systemctl set-environment NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click
        """)), {URL: 1}),
    _fx("line-continuation", "writer", LT, lt(script("""
        export \\
          NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click
        """)), {URL: 1}),
    # ------------------------------------------------------------------ variable indirection
    _fx("intermediate-variable", "indirection", LT, lt(script(f"""
        BACKEND="{API}"
        export NEXT_PUBLIC_API_URL="$BACKEND"
        """)), {URL: 1}),
    _fx("braced-and-concatenated", "indirection", LT, lt(script("""
        HOST=api.pilotlight-test.click
        PORT=3001
        export NEXT_PUBLIC_API_URL=http://${HOST}:${PORT}/api
        """)), {URL: 1}),
    _fx("two-levels", "indirection", LT, lt(script("""
        DOMAIN=pilotlight-test.click
        API_HOST="api.$DOMAIN"
        PUBLIC="$API_HOST"
        echo "NEXT_PUBLIC_API_HOST=$PUBLIC" >> /app/.env.production
        """)), {URL: 1}),
    _fx("default-expansion", "indirection", LT, lt(script("""
        export NEXT_PUBLIC_API_URL="${API_URL:-https://api.pilotlight-test.click}"
        """)), {URL: 1}),
    _fx("assign-default-expansion", "indirection", LT, lt(script("""
        : "${NEXT_PUBLIC_AWS_REGION:=ap-northeast-2}"
        export NEXT_PUBLIC_AWS_REGION
        """)), {URL: 1}),
    _fx("read-here-string", "indirection", LT, lt(script("""
        read -r NEXT_PUBLIC_API_URL <<< "https://api.pilotlight-test.click"
        export NEXT_PUBLIC_API_URL
        """)), {URL: 1}),
    _fx("printf-v", "indirection", LT, lt(script("""
        printf -v NEXT_PUBLIC_API_URL 'https://%s' api.pilotlight-test.click
        export NEXT_PUBLIC_API_URL
        """)), {URL: 1}),
    _fx("declare-x", "indirection", LT, lt(script("""
        declare -x NEXT_PUBLIC_REGION=ap-northeast-2
        """)), {URL: 1}),
    _fx("name-from-variable", "indirection", LT, lt(script("""
        PREFIX=NEXT_PUBLIC_
        export "${PREFIX}API_URL=https://api.pilotlight-test.click"
        """)), {URL: 1}),
    _fx("command-substitution-echo", "indirection", LT, lt(script("""
        export NEXT_PUBLIC_API_URL=$(echo https://api.pilotlight-test.click)
        """)), {URL: 1}),
    _fx("region-from-instance-metadata", "indirection", LT, lt(script("""
        TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60')
        REGION=$(curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/placement/region)
        export NEXT_PUBLIC_AWS_REGION=$REGION
        """)), {URL: 1}),
    _fx("file-sourced-later", "indirection", LT, lt(script("""
        echo 'API=https://api.pilotlight-test.click' > /tmp/vars
        . /tmp/vars
        export NEXT_PUBLIC_API_URL=$API
        """)), {URL: 1}),
    # ------------------------------------------------------------------ region-specific kinds
    _fx("kind-region-name", "kind", LT, lt(script("export NEXT_PUBLIC_AWS_REGION=ap-northeast-2\n")), {URL: 1}),
    _fx("kind-own-region-name", "kind", LT, lt(script("export NEXT_PUBLIC_AWS_REGION=ap-northeast-1\n")), {URL: 1}),
    _fx("kind-availability-zone", "kind", LT, lt(script("export NEXT_PUBLIC_AZ=ap-northeast-2c\n")), {URL: 1}),
    _fx("kind-arn", "kind", LT, lt(script(
        "export NEXT_PUBLIC_TABLE=arn:aws:dynamodb:ap-northeast-2:123456789012:table/KDT-Msp4-PLDR-venues\n")),
        {URL: 1}),
    _fx("kind-account-id", "kind", LT, lt(script("export NEXT_PUBLIC_ACCOUNT=210987654321\n")), {URL: 1}),
    _fx("kind-ipv4", "kind", LT, lt(script("export NEXT_PUBLIC_API=10.20.1.15:3001\n")), {URL: 1}),
    _fx("kind-protocol-relative", "kind", LT, lt(script("export NEXT_PUBLIC_CDN=//cdn.pilotlight-test.click\n")),
        {URL: 1}),
    _fx("kind-websocket", "kind", LT, lt(script("export NEXT_PUBLIC_WS=wss://ws.pilotlight-test.click/live\n")),
        {URL: 1}),
    _fx("kind-cognito-pool", "kind", LT, lt(script("export NEXT_PUBLIC_POOL_ID=ap-northeast-2_Ab12Cd34E\n")),
        {URL: 1}),
    _fx("kind-s3-website", "kind", LT, lt(script(
        "export NEXT_PUBLIC_ASSETS=megaticket-assets.s3.ap-northeast-2.amazonaws.com\n")), {URL: 1}),
    _fx("kind-not-region-specific", "kind", LT, lt(script("export NEXT_PUBLIC_THEME=dark\n")), {NEXT_ADVISORY: 1}),
    _fx("kind-relative-path", "kind", LT, lt(script("export NEXT_PUBLIC_API_BASE=/api\n")), {NEXT_ADVISORY: 1}),
    _fx("kind-computed-unknown-command", "kind", LT, lt(script(
        "export NEXT_PUBLIC_BUILD_ID=$(cat /opt/build-id)\n")), {NEXT_ADVISORY: 1}),
    # ------------------------------------------------------------------ resource types
    _fx("spot-fleet-launch-specification", "type", SPOT_FLEET, {
        "iamFleetRole": "arn:aws:iam::123456789012:role/fleet", "targetCapacity": 1,
        "launchSpecifications": [
            {"ami": "ami-0a1b2c3d4e5f6a7b8", "instanceType": "t3.small", "userData": script("echo ok\n")},
            {"ami": "ami-0a1b2c3d4e5f6a7b8", "instanceType": "t3.large", "userData": script(NEXT_URL_LINE)},
        ]}, {URL: 1}),
    _fx("instance-plain", "type", INSTANCE, {"ami": "ami-0a1b2c3d4e5f6a7b8", "metadataOptions": IMDS,
                                             "userData": script(NEXT_URL_LINE)}, {URL: 1}),
    _fx("instance-base64", "type", INSTANCE, {"ami": "ami-0a1b2c3d4e5f6a7b8", "metadataOptions": IMDS,
                                              "userDataBase64": b64(gz(script(NEXT_URL_LINE)))}, {URL: 1}),
    _fx("spot-instance", "type", SPOT_INSTANCE, {"ami": "ami-0a1b2c3d4e5f6a7b8", "metadataOptions": IMDS,
                                                 "userData": script(NEXT_URL_LINE)}, {URL: 1}),
    _fx("launch-configuration", "type", LAUNCH_CONFIG, {"imageId": "ami-0a1b2c3d4e5f6a7b8",
                                                        "instanceType": "t3.small", "metadataOptions": IMDS,
                                                        "userData": script(NEXT_URL_LINE)}, {URL: 1}),
    _fx("lightsail", "type", LIGHTSAIL, {"blueprintId": "amazon_linux_2023", "bundleId": "nano_3_0",
                                          "availabilityZone": "ap-northeast-1a", "userData": script(NEXT_URL_LINE)},
        {URL: 1}),
    _fx("image-builder-recipe", "type", RECIPE, {"parentImage": "ami-0a1b2c3d4e5f6a7b8", "version": "1.0.0",
                                                  "userDataBase64": b64(script(NEXT_URL_LINE))}, {URL: 1}),
    _fx("lambda-environment", "type", LAMBDA, {"name": "renderer", "timeout": 30, "environment": {
        "variables": {"NEXT_PUBLIC_API_URL": API, "NEXT_PUBLIC_THEME": "dark"}}}, {URL: 1, NEXT_ADVISORY: 1}),
    _fx("ssm-env-file", "type", SSM, {"name": "/megaticket/web/env", "type": "String",
                                      "value": "PORT=3000\nNEXT_PUBLIC_REGION = ap-northeast-2\n"}, {URL: 1}),
    # ------------------------------------------------------------------ other user data guardrails
    _fx("region-through-variable", "region", LT, lt(script("""
        R=ap-northeast-2
        export AWS_REGION=$R
        """)), {REGION: 1}),
    _fx("region-in-gzip-mime", "region", LT, lt("", encoded=b64(gz(mime(
        ("text/x-shellscript", script("export AWS_DEFAULT_REGION=ap-northeast-2\n")))))), {REGION: 1}),
    _fx("internal-url-through-variable", "region", LT, lt(script(f"""
        NLB={SEOUL_NLB}
        echo "INTERNAL_API_URL=http://$NLB:3001" >> /app/.env.production
        """)), {INTERNAL: 1}),
    _fx("internal-url-looked-up-in-seoul", "region", LT, lt(script("""
        export INTERNAL_API_URL="http://$(aws elbv2 describe-load-balancers --region ap-northeast-2 --names MegaTicket-NLB --query 'LoadBalancers[0].DNSName' --output text):3001"
        """)), {INTERNAL: 1}),  # noqa: E501
    _fx("secret-in-write-files-b64", "region", LT, lt(textwrap.dedent(f"""\
        #cloud-config
        write_files:
          - path: /root/.aws/credentials
            encoding: b64
            content: {CREDENTIALS_FILE}
        """)), {CREDENTIALS: 1}),
    # ------------------------------------------------------------------ pinned versions
    _fx("asg-number", "version", ASG, {"maxSize": 2, "minSize": 0, "launchTemplate": {
        "id": "lt-0a1b2c3d4e5f6a7b8", "version": "2"}}, {PINNED: 1}, ignore_changes=("minSize", "maxSize", "desiredCapacity")),
    _fx("asg-number-with-spaces", "version", ASG, {"maxSize": 2, "minSize": 0, "launchTemplate": {
        "id": "lt-0a1b2c3d4e5f6a7b8", "version": " 7 "}}, {PINNED: 1}, ignore_changes=("minSize", "maxSize", "desiredCapacity")),
    _fx("asg-from-latest-version-output", "version", ASG, {"maxSize": 2, "minSize": 0, "launchTemplate": {
        "id": "lt-0a1b2c3d4e5f6a7b8", "version": FROM_OUTPUT}}, {PINNED: 1},
        ignore_changes=("minSize", "maxSize", "desiredCapacity")),
    _fx("asg-mixed-override", "version", ASG, {"maxSize": 2, "minSize": 0, "mixedInstancesPolicy": {
        "launchTemplate": {
            "launchTemplateSpecification": {"launchTemplateId": "lt-1", "version": "$Latest"},
            "overrides": [{"instanceType": "t3.large", "launchTemplateSpecification": {
                "launchTemplateId": "lt-2", "version": FROM_OUTPUT}}]}}}, {PINNED: 1},
        ignore_changes=("minSize", "maxSize", "desiredCapacity")),
    _fx("template-default-version", "version", LT, lt(script("echo ok\n"), defaultVersion=3), {PINNED: 1}),
    _fx("template-default-version-output", "version", LT, lt(script("echo ok\n"), defaultVersion=FROM_OUTPUT),
        {PINNED: 1}),
    _fx("instance-version", "version", INSTANCE, {"metadataOptions": IMDS, "launchTemplate": {
        "id": "lt-0a1b2c3d4e5f6a7b8", "version": "4"}}, {PINNED: 1}),
    _fx("spot-instance-version", "version", SPOT_INSTANCE, {"metadataOptions": IMDS, "launchTemplate": {
        "name": "MegaTicket-DR-Web-LT", "version": FROM_OUTPUT}}, {PINNED: 1}),
    _fx("ec2-fleet-version", "version", FLEET, {"launchTemplateConfigs": [{"launchTemplateSpecification": {
        "launchTemplateId": "lt-1", "version": "5"}}], "targetCapacitySpecification": {
        "defaultTargetCapacityType": "spot", "totalTargetCapacity": 1}}, {PINNED: 1}),
    _fx("spot-fleet-version", "version", SPOT_FLEET, {"iamFleetRole": "arn:aws:iam::123456789012:role/f",
                                                       "targetCapacity": 1, "launchTemplateConfigs": [
        {"launchTemplateSpecification": {"id": "lt-1", "version": "$Latest"}},
        {"launchTemplateSpecification": {"id": "lt-2", "version": "6"}}]}, {PINNED: 1}),
    _fx("eks-node-group-version", "version", NODE_GROUP, {"clusterName": "c", "nodeRoleArn": "arn:aws:iam::1:role/n",
                                                           "subnetIds": ["subnet-1"], "scalingConfig": {
        "desiredSize": 1, "maxSize": 1, "minSize": 0}, "launchTemplate": {"id": "lt-1", "version": "2"}},
        {PINNED: 1}),
    _fx("batch-version", "version", BATCH, {"type": "MANAGED", "computeResources": {
        "maxVcpus": 4, "type": "EC2", "launchTemplate": {"launchTemplateId": "lt-1", "version": FROM_OUTPUT}}},
        {PINNED: 1}),
    _fx("gamelift-version", "version", GAMELIFT, {"gameServerGroupName": "g", "roleArn": "arn:aws:iam::1:role/g",
                                                   "maxSize": 1, "minSize": 0, "instanceDefinitions": [
        {"instanceType": "c5.large"}], "launchTemplate": {"id": "lt-1", "version": "8"}}, {PINNED: 1}),
    _fx("image-builder-fast-launch-version", "version", DISTRIBUTION, {"name": "d", "distributions": [{
        "region": TOKYO, "fastLaunchConfigurations": [{"accountId": "123456789012", "enabled": True,
                                                       "launchTemplate": {"launchTemplateId": "lt-1",
                                                                          "launchTemplateVersion": "2"}}]}]},
        {PINNED: 1}),
    _fx("lambda-version-from-output", "version", LAMBDA, {"name": "stfc-lambda-dev-step2", "timeout": 60,
                                                          "environment": {"variables": {
                                                              "LAUNCH_TEMPLATE_VERSION": FROM_OUTPUT}}},
        {PINNED: 1}),
]


def _machine(parameters: dict[str, Any], *, jsonata: bool = False, id_: str, expected: int,
             api: str = "describeLaunchTemplateVersions") -> Fixture:
    state: dict[str, Any] = {"Type": "Task", "Resource": f"arn:aws:states:::aws-sdk:ec2:{api}", "End": True}
    state["Arguments" if jsonata else "Parameters"] = parameters
    definition: dict[str, Any] = {"StartAt": "Read", "States": {"Read": state}}
    if jsonata:
        definition["QueryLanguage"] = "JSONata"
    return _fx(id_, "version" if expected else "false-positive", STATE_MACHINE,
               {"name": "stfc-stepfunction-dev-an1", "definition": json.dumps(definition)},
               {PINNED: expected} if expected else {})


FIXTURES += [
    _machine({"LaunchTemplateId": "lt-1", "Versions.$": "States.Array('2')"}, id_="sfn-intrinsic-array",
             expected=1),
    _machine({"LaunchTemplateId": "lt-1", "Versions.$": "States.Array(States.Format('{}', 3))"},
             id_="sfn-intrinsic-format", expected=1),
    _machine({"LaunchTemplateId": "lt-1",
              "Versions.$": "States.Array(States.Format('{}', $.LaunchTemplates[0].LatestVersionNumber))"},
             id_="sfn-latest-version-number", expected=1),
    _machine({"LaunchTemplateId": "lt-1", "Versions": "{% ['2'] %}"}, jsonata=True, id_="sfn-jsonata-list",
             expected=1),
    _machine({"LaunchTemplateId": "lt-1", "Versions": ["{% $string(4) %}"]}, jsonata=True,
             id_="sfn-jsonata-item", expected=1),
    _machine({"LaunchTemplateId": "lt-1", "Versions": "{% [$string($states.input.DefaultVersionNumber)] %}"},
             jsonata=True, id_="sfn-jsonata-default-version-number", expected=1),
    _machine({"LaunchTemplateId": "lt-1", "Versions": ["2"]}, id_="sfn-literal", expected=1),
    _machine({"LaunchTemplateId": "lt-1", "SourceVersion": "1", "LaunchTemplateData": {}},
             api="createLaunchTemplateVersion", id_="sfn-source-version", expected=1),
    _machine({"LaunchTemplateId": "lt-1", "DefaultVersion": "2"}, api="modifyLaunchTemplate",
             id_="sfn-modify-default-version", expected=1),
    # false positives: what follows $Latest, or a path the caller controls
    _machine({"LaunchTemplateId": "lt-1", "Versions": ["$Latest"]}, id_="sfn-latest", expected=0),
    _machine({"LaunchTemplateId": "lt-1", "Versions": "{% ['$Latest'] %}"}, jsonata=True,
             id_="sfn-jsonata-latest", expected=0),
    _machine({"LaunchTemplateId": "lt-1", "Versions.$": "States.Array('$Latest')"}, id_="sfn-intrinsic-latest",
             expected=0),
]

# ---------------------------------------------------------------------- other languages and tools
FIXTURES += [
    _fx("sed-backreference", "writer", LT, lt(script("""
        sed -i 's/^\\(NEXT_PUBLIC_API_URL=\\).*/\\1https:\\/\\/api.pilotlight-test.click/' /app/.env
        """)), {URL: 1}),
    _fx("sed-ampersand", "writer", LT, lt(script("""
        sed -i 's|^NEXT_PUBLIC_REGION=|&ap-northeast-2|' /app/.env
        """)), {URL: 1}),
    _fx("perl-in-place", "writer", LT, lt(script("""
        perl -pi -e 's/^NEXT_PUBLIC_API_URL=.*/NEXT_PUBLIC_API_URL=https:\\/\\/api.pilotlight-test.click/' /app/.env
        """)), {URL: 1}),
    _fx("rev-obfuscated", "writer", LT, lt(script("""
        echo 'kcilc.tset-thgiltolip.ipa//:sptth=LRU_IPA_CILBUP_TXEN' | rev >> /app/.env
        """)), {URL: 1}),
    _fx("install-from-heredoc", "writer", LT, lt(script("""
        install -m 0644 /dev/stdin /app/.env.production <<'EOF'
        NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click
        EOF
        """)), {URL: 1}),
    _fx("python-heredoc", "writer", LT, lt(script("""
        python3 - <<'PY'
        open('/app/.env', 'a').write('NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click\\n')
        PY
        """)), {URL: 1}),
    _fx("python-shebang", "writer", LT, lt(
        "#!/usr/bin/env python3\nimport os\nos.environ['NEXT_PUBLIC_API_URL'] = 'https://api.pilotlight-test.click'\n"),
        {URL: 1}),
    _fx("node-shebang", "writer", LT, lt(
        "#!/usr/bin/env node\nprocess.env.NEXT_PUBLIC_API_URL = 'https://api.pilotlight-test.click';\n"), {URL: 1}),
    _fx("windows-powershell", "writer", LT, lt(
        "<powershell>\n[Environment]::SetEnvironmentVariable('NEXT_PUBLIC_API_URL', "
        "'https://api.pilotlight-test.click', 'Machine')\n</powershell>\n"), {URL: 1}),
    _fx("windows-env-drive", "writer", LT, lt(
        "<powershell>\n$env:NEXT_PUBLIC_AWS_REGION = 'ap-northeast-2'\n</powershell>\n"), {URL: 1}),
    _fx("indirect-expansion", "indirection", LT, lt(script("""
        TARGET=https://api.pilotlight-test.click
        ref=TARGET
        export NEXT_PUBLIC_API_URL=${!ref}
        """)), {URL: 1}),
    _fx("hex-blob", "encoding", LT, lt(script(
        f"echo {NEXT_URL_LINE.encode().hex()} | xxd -r -p | bash\n")), {URL: 1}),
    _fx("openssl-base64", "encoding", LT, lt(script(
        f"echo {b64(NEXT_URL_LINE)} | openssl base64 -d -A | bash\n")), {URL: 1}),
    _fx("fp-python-reads-only", "false-positive", LT, lt(script("""
        python3 -c "import os; print(os.environ.get('NEXT_PUBLIC_API_URL'))"
        """))),
]

EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
FIXTURES += [
    _fx("event-target-input-version", "version", EVENT_TARGET, {
        "rule": "pldr-dr-failover-rule", "arn": "arn:aws:states:ap-northeast-1:123456789012:stateMachine:x",
        "input": json.dumps({"launchTemplateVersion": "2", "reason": "alarm"})}, {PINNED: 1}),
    _fx("ssm-version-parameter", "version", SSM, {"name": "/megaticket/web/launch-template-version",
                                                  "type": "String", "value": "3"}, {PINNED: 1}),
    _fx("fp-event-target-input", "false-positive", EVENT_TARGET, {
        "rule": "pldr-dr-failover-rule", "arn": "arn:aws:states:ap-northeast-1:123456789012:stateMachine:x",
        "input": json.dumps({"launchTemplateVersion": "$Latest", "version": "2.0", "reason": "alarm"})}),
    _fx("next-public-url-fetched-at-boot", "indirection", LT, lt(script("""
        export NEXT_PUBLIC_API_URL=$(aws ssm get-parameter --name /megaticket/api --query Parameter.Value --output text)
        """)), {URL: 1}),
    _fx("lambda-next-public-url-from-output", "type", LAMBDA, {"name": "renderer", "timeout": 30, "environment": {
        "variables": {"NEXT_PUBLIC_API_URL": FROM_OUTPUT}}}, {URL: 1}),
    _fx("lambda-next-public-other-from-output", "type", LAMBDA, {"name": "renderer", "timeout": 30,
                                                                 "environment": {"variables": {
                                                                     "NEXT_PUBLIC_BUILD_ID": FROM_OUTPUT}}},
        {NEXT_ADVISORY: 1}),
]

# ---------------------------------------------------------------------- what the pack cannot see
FIXTURES += [
    _fx("include-directive", "hidden", LT, lt("#include\nhttps://config.example.com/web-user-data.sh\n"),
        {HIDDEN: 1}),
    _fx("include-once", "hidden", LT, lt("#include-once\nhttps://config.example.com/web.sh\n"), {HIDDEN: 1}),
    _fx("mime-include-url", "hidden", LT, lt(mime(("text/x-include-url", "https://config.example.com/a.sh\n"))),
        {HIDDEN: 1}),
    _fx("curl-pipe-bash", "hidden", LT, lt(script("curl -fsSL https://config.example.com/env.sh | sudo bash\n")),
        {HIDDEN: 1}),
    _fx("wget-pipe-sh", "hidden", LT, lt(script("wget -qO- https://config.example.com/env.sh | sh -s --\n")),
        {HIDDEN: 1}),
    _fx("process-substitution", "hidden", LT, lt(script("source <(curl -s https://config.example.com/env)\n")),
        {HIDDEN: 1}),
    _fx("s3-download-then-run", "hidden", LT, lt(script(
        "aws s3 cp s3://megaticket-config/web.sh /tmp/web.sh\nbash /tmp/web.sh\n")), {HIDDEN: 1}),
    _fx("write-files-source-url", "hidden", LT, lt(
        "#cloud-config\nwrite_files:\n  - path: /app/.env\n    source:\n      uri: https://config.example.com/env\n"),
        {HIDDEN: 1}),
    _fx("include-hides-next-public-too", "hidden", LT, lt(mime(
        ("text/x-shellscript", script(NEXT_URL_LINE)), ("text/x-include-url", "https://x.example.com/a\n"))),
        {HIDDEN: 1, URL: 1}),
]

# ---------------------------------------------------------------------- false positives
FIXTURES += [
    _fx("fp-commented-export", "false-positive", LT, lt(script(f"""
        # export NEXT_PUBLIC_API_URL={API}
        #export NEXT_PUBLIC_REGION=ap-northeast-2
        export INTERNAL_API_URL=http://{TOKYO_NLB}:3001  # NEXT_PUBLIC_API_URL=http://old was removed
        """))),
    _fx("fp-commented-dotenv-line", "false-positive", LT, lt(script(f"""
        cat > /app/.env.production <<'EOF'
        # NEXT_PUBLIC_API_URL={API}
        INTERNAL_API_URL=http://{TOKYO_NLB}:3001
        EOF
        """))),
    _fx("fp-comment-block-heredoc", "false-positive", LT, lt(script(f"""
        : <<'NOTES'
        NEXT_PUBLIC_API_URL={API} used to be set here (001 §1.1); it is baked at build time.
        NOTES
        """))),
    _fx("fp-log-line", "false-positive", LT, lt(script("""
        echo "removed NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click; using INTERNAL_API_URL"
        logger "NEXT_PUBLIC_REGION=ap-northeast-2 is not read at runtime"
        """))),
    _fx("fp-grep-check", "false-positive", LT, lt(script("""
        if grep -q '^NEXT_PUBLIC_API_URL=https://' /app/.env; then echo 'stale env'; fi
        sed -i '/^NEXT_PUBLIC_/d' /app/.env
        unset NEXT_PUBLIC_API_URL
        """))),
    _fx("fp-unrelated-variables", "false-positive", LT, lt(script(f"""
        export PUBLIC_URL=https://pilotlight-test.click
        export NEXTAUTH_URL=https://pilotlight-test.click
        export API_URL_NEXT_PUBLIC=https://x.example.com
        export INTERNAL_API_URL=http://{TOKYO_NLB}:3001
        export AWS_REGION=ap-northeast-1
        """))),
    _fx("fp-cloud-config-comment", "false-positive", LT, lt(textwrap.dedent(f"""\
        #cloud-config
        # NEXT_PUBLIC_API_URL={API}
        runcmd:
          # - export NEXT_PUBLIC_API_URL={API}
          - echo started
        """))),
    _fx("fp-quoted-hash-is-not-a-comment", "false-positive", LT, lt(script("""
        export MESSAGE="build #42 # NEXT_PUBLIC_API_URL=https://x.example.com is a comment in a string"
        """))),
    _fx("fp-version-latest", "false-positive", ASG, {"maxSize": 2, "minSize": 0, "launchTemplate": {
        "id": "lt-0a1b2c3d4e5f6a7b8", "version": "$Latest"}}, ignore_changes=("minSize", "maxSize", "desiredCapacity")),
    _fx("fp-version-default-and-update-default", "false-positive", LT,
        lt(script("echo ok\n"), updateDefaultVersion=True)),
    _fx("fp-base64-looking-words", "false-positive", LT, lt(script("""
        export DYNAMODB_RESERVATIONS_TABLE=KDT-Msp4-PLDR-reservations
        echo MegaTicketDisasterRecoveryPilotLightTokyo
        """))),
]
