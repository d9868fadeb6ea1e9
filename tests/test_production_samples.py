"""The README's production samples are what they claim: the nginx server block passes
`nginx -t`, the systemd unit passes `systemd-analyze verify` (each where installed), and both
send Telegram's posts to the webhook settings the same section gives."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")
PRODUCTION = README[README.index("## Production") : README.index("## The offline console")]


def sample(language: str) -> str:
    [block] = re.findall(rf"```{language}\n(.*?)```", PRODUCTION, re.S)
    return str(block)


def setting(name: str) -> str:
    found = re.search(rf"^{name}=(\S+)", sample("sh"), re.M)
    assert found, name
    return found.group(1)


def test_nginx_passes_the_posts_to_the_webhook_port_and_path() -> None:
    nginx = sample("nginx")
    path = setting("WEBHOOK_URL").removeprefix("https://bot.example.vn")
    assert f"location = {path} {{" in nginx
    assert f"proxy_pass http://{setting('WEBHOOK_HOST')}:{setting('WEBHOOK_PORT')};" in nginx


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_the_nginx_sample_is_valid(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    self_signed = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    files = ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=bot.example.vn"]
    subprocess.run(["openssl", *self_signed, *files], check=True, capture_output=True)
    server = re.sub(
        r"ssl_certificate (\S+);", f"ssl_certificate {tmp_path}/cert.pem;", sample("nginx")
    )
    server = re.sub(
        r"ssl_certificate_key (\S+);", f"ssl_certificate_key {tmp_path}/key.pem;", server
    )
    config = tmp_path / "nginx.conf"
    config.write_text(f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n{server}}}\n", "utf-8")

    done = subprocess.run(
        ["nginx", "-t", "-c", str(config), "-p", str(tmp_path), "-e", str(tmp_path / "err.log")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd is not installed")
def test_the_systemd_unit_is_valid_and_runs_the_workers(tmp_path: Path) -> None:
    unit = sample("ini").replace("/opt/hoctap", str(ROOT))
    assert f"ExecStart={ROOT}/.venv/bin/hoctap run --workers 2" in unit
    assert "KillSignal=SIGTERM" in unit  # the workers finish the updates they hold
    path = tmp_path / "hoctap.service"
    path.write_text(unit, "utf-8")

    done = subprocess.run(
        ["systemd-analyze", "verify", str(path)], capture_output=True, text=True, check=False
    )

    assert done.returncode == 0, done.stderr
