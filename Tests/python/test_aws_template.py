"""ops/aws: the CloudFormation template is clean under cfn-lint, keeps the bridge key out of sight, and carries the
routing Lambda's code exactly as ops/aws/routing_lambda.py has it (the file the tests run)."""

from __future__ import annotations

import pathlib
import shutil
import subprocess

AWS = pathlib.Path(__file__).resolve().parents[2] / "ops" / "aws"
TEMPLATE = AWS / "switchboard.yaml"


def test_cfn_lint_finds_nothing():
    cfn_lint = shutil.which("cfn-lint")
    assert cfn_lint, "cfn-lint is not installed (ops/test.sh installs it)"
    result = subprocess.run([cfn_lint, str(TEMPLATE)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def inline_code(template: str) -> str:
    lines = template.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "ZipFile: |") + 1
    indent = len(lines[start]) - len(lines[start].lstrip())
    body = []
    for line in lines[start:]:
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            break
        body.append(line[indent:] if line.strip() else "\n")
    return "".join(body).rstrip("\n") + "\n"


def test_the_template_carries_the_lambda_file_verbatim():
    assert inline_code(TEMPLATE.read_text()) == (AWS / "routing_lambda.py").read_text()


def test_the_bridge_key_is_no_echo():
    text = TEMPLATE.read_text()
    block = text[text.index("  BridgeApiKey:"):text.index("  InvocationRateLimitPerSecond:")]
    assert "NoEcho: true" in block
