"""nginx in front of the service's processes, with `config/nginx.conf` as deployed: only its
addresses, certificate and log file are replaced. The deployment test runs it with TLS; the
webhook benchmark with several processes runs it without (both servers under test behind the
same proxy, so TLS would add the same to each).
"""

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import config

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
SITE = config.ROOT / "config" / "nginx.conf"
TLS_LINES = ("ssl_certificate ", "ssl_certificate_key ", "ssl_protocols ")


def site(upstreams: list[str], https_port: int, http_port: int, access_log: Path, certificate: tuple[Path, Path] | None = None) -> str:
    """config/nginx.conf for these upstream processes (each with the documented options), its
    HTTPS server on `https_port`, or plain HTTP there without a certificate."""
    text = SITE.read_text()
    options = re.findall(r"^\s*server 127\.0\.0\.1:\d+ ([^;]*);$", text, flags=re.MULTILINE)
    assert len(options) == 2 and len(set(options)) == 1, "the documented upstream has two processes alike"
    text = re.sub(r"^(\s*)server 127\.0\.0\.1:\d+ .*;\n", "", text, flags=re.MULTILINE)
    block = "".join(f"    server {address} {options[0]};\n" for address in upstreams)
    text = text.replace("upstream helpline {\n", "upstream helpline {\n" + block, 1)
    replacements = {
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port}" + (" ssl;" if certificate else ";"),
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "/var/log/nginx/helpline.access.log": str(access_log),
    }
    if certificate:
        replacements["/etc/letsencrypt/live/helpline.example.org/fullchain.pem"] = str(certificate[0])
        replacements["/etc/letsencrypt/live/helpline.example.org/privkey.pem"] = str(certificate[1])
    for documented, replacement in replacements.items():
        assert text.count(documented) == 1, documented
        text = text.replace(documented, replacement)
    if not certificate:
        text = "".join(line for line in text.splitlines(keepends=True) if not line.strip().startswith(TLS_LINES))
    return text


@contextmanager
def running(directory: Path, site_text: str) -> Iterator[Path]:
    """nginx in the foreground with its own prefix, including the site as /etc/nginx would."""
    if NGINX is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    prefix = directory / "nginx"
    (prefix / "logs").mkdir(parents=True)
    (prefix / "helpline.conf").write_text(site_text)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (prefix / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'logs' / 'error.log'} info;\n"
        + "events { worker_connections 1024; }\n"
        + f"http {{\n{temp_paths}\n    include {prefix / 'helpline.conf'};\n}}\n"
    )
    command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx refused its configuration:\n{checked.stderr}")
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield prefix
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()
